"""The provisioning sync job's script, run for real with busybox (the sh, find, base64 and wget of the
alpine-based Grafana image) against a loopback server standing in for Grafana's reload API: files in,
stale files out, then one authenticated POST per URL."""

from __future__ import annotations

import base64
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from components.targets.docker.reloadable import SYNC_SCRIPT
from tests.validators.tools import busybox_bin


class _Grafana(BaseHTTPRequestHandler):
    calls: list[tuple[str, str, str | None]] = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        _Grafana.calls.append((self.command, self.path, self.headers.get("Authorization")))
        self.send_response(500 if self.path.endswith("/fail") else 200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def grafana():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Grafana)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


APPLETS = ("sh", "find", "mkdir", "cp", "chmod", "mv", "rm", "cat", "printf", "base64", "tr", "wget", "echo")


@pytest.fixture(scope="module")
def busybox_path(tmp_path_factory) -> str:
    """A PATH holding nothing but busybox applets, as in the image."""
    return busybox_bin(tmp_path_factory.mktemp("busybox-bin"), APPLETS)


def _sync(tmp_path: Path, path: str, staged: dict[str, str], *urls: str) -> subprocess.CompletedProcess:
    source, target = tmp_path / "staging", tmp_path / "target"
    for relative, text in staged.items():
        (source / relative).parent.mkdir(parents=True, exist_ok=True)
        (source / relative).write_text(text)
    target.mkdir(exist_ok=True)
    (tmp_path / "password").write_text("s3cret-password")
    env = {"PATH": path, "SYNC_SOURCE": str(source), "SYNC_TARGET": str(target),
           "RELOAD_USER": "admin", "RELOAD_PASSWORD_FILE": str(tmp_path / "password")}
    return subprocess.run([f"{path}/sh", "-c", SYNC_SCRIPT, "sync", *urls], env=env, capture_output=True, text=True,
                          timeout=30)


def test_new_files_arrive_and_files_no_longer_shipped_are_removed(tmp_path, busybox_path, grafana):
    target = tmp_path / "target"
    (target / "dashboard-files/platform").mkdir(parents=True)
    (target / "dashboard-files/platform/renamed-away.json").write_text("{}")
    (target / "alerting").mkdir()
    (target / "alerting/rules.yaml").write_text("old")
    staged = {"dashboard-files/platform/new.json": '{"uid": "new"}', "alerting/rules.yaml": "new"}
    result = _sync(tmp_path, busybox_path, staged, f"{grafana}/ok")
    assert result.returncode == 0, result.stderr
    files = {p.relative_to(target).as_posix(): p.read_text() for p in target.rglob("*") if p.is_file()}
    assert files == {"dashboard-files/platform/new.json": '{"uid": "new"}', "alerting/rules.yaml": "new"}


def test_each_reload_url_is_posted_once_as_the_admin(tmp_path, busybox_path, grafana):
    _Grafana.calls.clear()
    result = _sync(tmp_path, busybox_path, {"datasources/d.yaml": "x"},
                   f"{grafana}/datasources/ok", f"{grafana}/alerting/ok")
    assert result.returncode == 0, result.stderr
    auth = "Basic " + base64.b64encode(b"admin:s3cret-password").decode()
    assert _Grafana.calls == [("POST", "/datasources/ok", auth), ("POST", "/alerting/ok", auth)]


def test_a_failed_reload_fails_the_job_naming_the_url(tmp_path, busybox_path, grafana):
    result = _sync(tmp_path, busybox_path, {"datasources/d.yaml": "x"}, f"{grafana}/fail")
    assert result.returncode == 1 and f"reload failed: POST {grafana}/fail" in result.stderr
