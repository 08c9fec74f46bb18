"""Runs the product's nginx.conf under the Debian nginx (1.22) on loopback, for the proxy tests.

`map_for_local_nginx` is the only place the product file is changed, and only for what an older
nginx outside Docker cannot take as it is. The rest is throwaway scaffolding: a self-signed
certificate, a stub Grafana that echoes request headers, and TLS probes.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import threading
import time
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from collections.abc import Iterator


PRODUCT_CONFIG = Path(__file__).resolve().parents[2] / "config" / "proxy" / "nginx.conf"
TIMEOUT = 5.0


def product_config() -> str:
    """The nginx.conf the proxy container gets (switch to the rendered file here)."""
    return PRODUCT_CONFIG.read_text()


def directive_args(conf: str, name: str) -> list[str]:
    """Arguments of every `name ...;` directive, comments removed."""
    text = re.sub(r"#[^\n]*", "", conf)
    return [args.strip() for args in re.findall(rf"(?m)^\s*{re.escape(name)}\s+([^;]*);", text)]


def size_bytes(value: str) -> int:
    units = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
    number, unit = re.fullmatch(r"(\d+)([kmg]?)", value.lower()).groups()
    return int(number) * units[unit]


def map_for_local_nginx(conf: str, *, root: Path, port: int, upstream_port: int) -> str:
    """The product config, changed only where Debian's nginx 1.22 on loopback needs it.

    - `http2 on;` (nginx >= 1.25) becomes the older `http2` flag on the listen line;
    - `listen 9999` becomes a free loopback port;
    - `server grafana:3000 resolve` (>= 1.27.3, Docker DNS) becomes the stub upstream;
    - `user nginx` (absent here) becomes the current user when root, else is dropped;
    - the container's absolute paths (/etc/nginx/tls/, /tmp/) move under `root`.
    Every rule must match exactly as often as stated, so a product change cannot slip past silently.
    """
    user = "user root;" if os.geteuid() == 0 else ""
    rules = [
        (r"(?m)^\s*http2 on;\n", "", 1),
        (r"listen 9999 ssl;", f"listen 127.0.0.1:{port} ssl http2;", 1),
        (r"server grafana:3000 resolve;", f"server 127.0.0.1:{upstream_port};", 1),
        (r"user nginx;", user, 1),
        # /tmp/ first: `root` itself may lie under /tmp.
        (r"(?<=\s)/tmp/", f"{root}/run/", 6),
        (r"(?<=\s)/etc/nginx/tls/", f"{root}/tls/", 2),
    ]
    for pattern, replacement, expected in rules:
        conf, count = re.subn(pattern, replacement, conf)
        if count != expected:
            raise AssertionError(f"mapping rule {pattern!r} matched {count} times, expected {expected}")
    return conf


def write_mapped_config(openssl: str, root: Path, port: int, upstream_port: int) -> Path:
    """A self-signed RSA certificate for 127.0.0.1 and the mapped config, both under `root`."""
    (root / "tls").mkdir(parents=True, exist_ok=True)
    (root / "run").mkdir(exist_ok=True)
    # RSA, so a refused RSA-authenticated weak suite is the cipher list's doing, not the key type's.
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(root / "tls" / "tls.key"), "-out", str(root / "tls" / "tls.crt")],
                   check=True, capture_output=True, timeout=60)
    conf = root / "nginx.conf"
    conf.write_text(map_for_local_nginx(product_config(), root=root, port=port,
                                        upstream_port=upstream_port))
    return conf


class _EchoHandler(BaseHTTPRequestHandler):
    """Stub Grafana: answers every request with the headers it received, as JSON."""

    protocol_version = "HTTP/1.1"  # nginx keeps upstream connections alive

    def _echo(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        received = 0
        while received < length:
            received += len(self.rfile.read(min(65536, length - received)))
        self.server.requests += 1
        body = json.dumps({"method": self.command, "path": self.path, "body_length": received,
                           "headers": [[k.lower(), v] for k, v in self.headers.items()]}).encode()
        self.send_response(200)
        # Grafana's own security headers: the proxy must not send them twice.
        self.send_header("X-Frame-Options", "deny")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _echo

    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def stub_upstream() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EchoHandler)
    server.daemon_threads = True
    server.requests = 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(TIMEOUT)


@contextlib.contextmanager
def running_nginx(nginx: str, conf: Path, port: int) -> Iterator[subprocess.Popen]:
    """nginx in the foreground on 127.0.0.1:`port`; stopped (its own process group) on exit."""
    log = (conf.parent / "nginx.log").open("wb")
    proc = subprocess.Popen([nginx, "-p", str(conf.parent), "-c", str(conf), "-g", "daemon off;"],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"nginx exited: {(conf.parent / 'nginx.log').read_text()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("nginx did not start listening within 10s")
            time.sleep(0.05)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # master and workers share the group we created
            proc.wait(5)
        log.close()


def client_context(cafile: Path, version: ssl.TLSVersion,
                   ciphers: str = "DEFAULT:@SECLEVEL=0") -> ssl.SSLContext:
    """A client pinned to one TLS version and willing to offer legacy suites (security level 0)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TLS 1.1 on purpose
        ctx.minimum_version = ctx.maximum_version = version
    ctx.set_ciphers(ciphers)
    return ctx


def handshake(port: int, ctx: ssl.SSLContext, alpn: list[str] | None = None) -> ssl.SSLSocket:
    """A completed TLS handshake (closed by the caller), or ssl.SSLError."""
    if alpn:
        ctx.set_alpn_protocols(alpn)
    sock = socket.create_connection(("127.0.0.1", port), TIMEOUT)
    try:
        return ctx.wrap_socket(sock, server_hostname="127.0.0.1")
    except BaseException:
        sock.close()
        raise


@contextlib.contextmanager
def permissive_tls_server(cert: Path, key: Path) -> Iterator[int]:
    """A TLS server accepting TLS 1.0+ and every suite: shows a probe fails only when nginx refuses."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = ssl.TLSVersion.TLSv1
    ctx.set_ciphers("ALL:@SECLEVEL=0")
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            conn.settimeout(TIMEOUT)
            with conn, contextlib.suppress(OSError):
                ctx.wrap_socket(conn, server_side=True).close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(TIMEOUT)
        listener.close()


def https(port: int, cafile: Path, method: str, path: str, headers: dict | None = None,
          body: bytes | None = None) -> http.client.HTTPResponse:
    """One request over TLS 1.2+; the response body is read before returning."""
    ctx = ssl.create_default_context(cafile=str(cafile))
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=TIMEOUT)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        response.data = response.read()
        return response
    finally:
        conn.close()
