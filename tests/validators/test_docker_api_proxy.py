"""The read-only Docker API proxy (config/docker-api/nginx.conf) under the real nginx on loopback, in
front of a stand-in Docker daemon on a unix socket: Alloy's reads pass unchanged, anything that could
change the host (create, exec, delete, pull) is refused before it reaches the socket."""

from __future__ import annotations

import http.client
import json
import os
import re
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from socketserver import ThreadingUnixStreamServer

import pytest

from components.services.docker_api import PORT
from tests.validators.nginx_harness import running_nginx
from tests.validators.tools import free_port, require_tool

CONFIG = Path(__file__).resolve().parents[2] / "config" / "docker-api" / "nginx.conf"


class _Docker(BaseHTTPRequestHandler):
    """Answers every request with what it received; `seen` is what reached the socket."""

    protocol_version = "HTTP/1.1"
    seen: list[tuple[str, str]] = []

    def _answer(self) -> None:
        _Docker.seen.append((self.command, self.path))
        body = json.dumps({"method": self.command, "path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_HEAD = do_POST = do_DELETE = do_PUT = _answer  # noqa: N815

    def address_string(self) -> str:
        return "docker.sock"

    def log_message(self, *args) -> None:
        pass


def _mapped(conf: str, root: Path, port: int, socket_path: Path) -> str:
    """The product config with its container paths and port moved onto this machine; each rule must
    match exactly as often as stated."""
    rules = [(r"listen 2375;", f"listen 127.0.0.1:{port};", 1),
             (r"unix:/var/run/docker\.sock:", f"unix:{socket_path}:", 1),
             (r"user root;", "user root;" if os.geteuid() == 0 else "", 1),
             (r"(?<=\s)/tmp/", f"{root}/run/", 6)]
    for pattern, replacement, expected in rules:
        conf, count = re.subn(pattern, replacement, conf)
        assert count == expected, f"{pattern!r} matched {count} times, expected {expected}"
    return conf


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    nginx = require_tool("nginx")
    root = tmp_path_factory.mktemp("docker-api")
    (root / "run").mkdir()
    socket_path = root / "docker.sock"
    docker = ThreadingUnixStreamServer(str(socket_path), _Docker)
    threading.Thread(target=docker.serve_forever, daemon=True).start()
    port = free_port()
    conf = root / "nginx.conf"
    conf.write_text(_mapped(CONFIG.read_text(), root, port, socket_path))
    try:
        with running_nginx(nginx, conf, port):
            yield port
    finally:
        docker.shutdown()
        docker.server_close()


def _request(port: int, method: str, path: str) -> tuple[int, str]:
    _Docker.seen.clear()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request(method, path, body=b"{}" if method in ("POST", "PUT") else None)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def test_the_api_port_is_the_one_alloy_is_given():
    assert re.search(rf"(?m)^\s*listen {PORT};", CONFIG.read_text())


@pytest.mark.parametrize("method,path", [
    ("HEAD", "/_ping"), ("GET", "/v1.43/version"), ("GET", "/v1.43/containers/json?all=0&filters=%7B%7D"),
    ("GET", "/v1.43/networks"), ("GET", "/v1.43/containers/3f2a9c1b7e5d/json"),
    ("GET", "/v1.43/containers/obs-loki/logs?follow=1&stdout=1&stderr=1&since=0&timestamps=1"),
])
def test_alloys_reads_pass_unchanged(proxy, method, path):
    status, _ = _request(proxy, method, path)
    assert status == 200 and _Docker.seen == [(method, path)]


@pytest.mark.parametrize("method,path", [
    ("POST", "/v1.43/containers/create"), ("POST", "/v1.43/containers/obs-loki/exec"),
    ("POST", "/v1.43/exec/abc/start"), ("DELETE", "/v1.43/containers/obs-loki"),
    ("POST", "/v1.43/images/create?fromImage=alpine"), ("PUT", "/v1.43/containers/obs-loki/archive?path=/"),
    ("GET", "/v1.43/containers/obs-loki/archive?path=/etc"), ("GET", "/v1.43/containers/obs-loki/export"),
    ("GET", "/v1.43/secrets"), ("POST", "/v1.43/containers/obs-loki/json"),
    ("GET", "/v1.43/containers/obs-loki/../../exec/abc/json"),
])
def test_anything_else_is_refused_before_the_socket(proxy, method, path):
    status, body = _request(proxy, method, path)
    assert status in (400, 403) and _Docker.seen == [], body
