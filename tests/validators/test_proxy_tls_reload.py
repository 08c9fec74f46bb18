"""The proxy's certificate watcher (host-files), run with busybox's sh against a stand-in `nginx` that
records what it is asked: a renewed certificate (written by rename, as certbot does) reloads nginx, a
pair that fails `nginx -t` does not."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from components.services.proxy import WATCH_AND_RUN
from tests.validators.tools import busybox_bin

APPLETS = ("sh", "cat", "md5sum", "sleep", "echo", "mv")


@pytest.fixture
def proxy(tmp_path: Path):
    path = busybox_bin(tmp_path, APPLETS)
    log = tmp_path / "nginx-calls"
    # `nginx -t` fails while a file named `broken` exists; `-g` runs "forever" like the real server.
    fake = tmp_path / "nginx"
    fake.write_text(f'#!{path}/sh\necho "$*" >> {log}\n'
                    f'case "$1" in -t) [ ! -e {tmp_path}/broken ];; -g) exec sleep 60;; esac\n')
    fake.chmod(0o755)
    tls = tmp_path / "tls"
    tls.mkdir()
    (tls / "fullchain.pem").write_text("cert v1")
    (tls / "privkey.pem").write_text("key v1")
    pair = [str(tls / "fullchain.pem"), str(tls / "privkey.pem")]
    process = subprocess.Popen([f"{path}/sh", "-c", WATCH_AND_RUN, *pair],
                               env={"PATH": path, "TLS_RELOAD_CHECK_SECONDS": "0.2"}, start_new_session=True)
    yield tmp_path, tls, log
    os.killpg(process.pid, 9)
    process.wait()


def _renew(tls: Path, name: str, text: str) -> None:
    (tls / f".{name}.new").write_text(text)
    (tls / f".{name}.new").rename(tls / name)  # a new inode, as certbot and `install` write it


def _calls(log: Path, wait: float, until: str | None = None) -> list[str]:
    """nginx's calls after `wait` seconds (sooner once `until` is among them)."""
    deadline = time.monotonic() + wait
    while True:
        calls = log.read_text().splitlines() if log.exists() else []
        if (until and until in calls) or time.monotonic() > deadline:
            return calls
        time.sleep(0.05)


def test_nginx_runs_in_the_foreground_and_is_not_reloaded_without_a_change(proxy):
    _, _, log = proxy
    assert _calls(log, 1.0) == ["-g daemon off;"]  # five checks of an unchanged pair


def test_a_renewed_certificate_is_tested_then_reloaded(proxy):
    _, tls, log = proxy
    _calls(log, 5, until="-g daemon off;")
    time.sleep(0.3)  # the watcher has read the first pair
    _renew(tls, "fullchain.pem", "cert v2")
    _renew(tls, "privkey.pem", "key v2")
    assert _calls(log, 5, until="-s reload")[1:] == ["-t -q", "-s reload"]


def test_a_pair_that_fails_the_config_test_is_not_loaded(proxy):
    root, tls, log = proxy
    _calls(log, 5, until="-g daemon off;")
    time.sleep(0.3)  # the watcher has read the first pair
    (root / "broken").touch()
    _renew(tls, "fullchain.pem", "cert v2 without its key")
    calls = _calls(log, 1.0)
    assert "-s reload" not in calls and "-t -q" in calls
