"""The proxy's nginx.conf running in a real nginx on loopback, in front of a stub Grafana.

Each test drives real TLS handshakes or HTTP requests and checks what the client or the upstream saw.
Refusals are shown to be nginx's: the same client probe succeeds against a permissive TLS server.
"""

from __future__ import annotations

import http.client
import json
import ssl
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.validators.nginx_harness import (TIMEOUT, client_context, directive_args, handshake, https,
                                            permissive_tls_server, product_config, running_nginx, size_bytes,
                                            stub_upstream, write_mapped_config)
from tests.validators.tools import free_port, require_tool

# (TLS version, cipher string): what each refusal test offers.
TLS11 = (ssl.TLSVersion.TLSv1_1, "DEFAULT:@SECLEVEL=0")
TLS12_CBC_SHA1 = (ssl.TLSVersion.TLSv1_2, "ECDHE-RSA-AES128-SHA:@SECLEVEL=0")


@dataclass
class Proxy:
    port: int
    cert: Path
    upstream: ThreadingHTTPServer  # the stub Grafana; `.requests` counts what reached it

    def get(self, path: str = "/api/health", headers: dict | None = None) -> http.client.HTTPResponse:
        return https(self.port, self.cert, "GET", path, headers)

    def seen_by_grafana(self, headers: dict | None = None) -> dict[str, list[str]]:
        response = self.get("/api/echo", headers)
        assert response.status == 200, response.data
        seen: dict[str, list[str]] = {}
        for name, value in json.loads(response.data)["headers"]:
            seen.setdefault(name, []).append(value)
        return seen


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    nginx, openssl = require_tool("nginx"), require_tool("openssl")
    root = tmp_path_factory.mktemp("nginx")
    port = free_port()
    with stub_upstream() as upstream:
        conf = write_mapped_config(openssl, root, port, upstream.server_address[1])
        with running_nginx(nginx, conf, port):
            yield Proxy(port, root / "tls" / "tls.crt", upstream)


def test_tls_1_1_is_refused_by_nginx(proxy):
    with pytest.raises(ssl.SSLError) as refused:
        handshake(proxy.port, client_context(proxy.cert, *TLS11)).close()
    assert refused.value.reason == "TLSV1_ALERT_PROTOCOL_VERSION"  # the server's alert


def test_tls_1_2_cbc_sha1_suite_is_refused_by_nginx(proxy):
    with pytest.raises(ssl.SSLError) as refused:
        handshake(proxy.port, client_context(proxy.cert, *TLS12_CBC_SHA1)).close()
    assert refused.value.reason == "SSLV3_ALERT_HANDSHAKE_FAILURE"  # the server's alert


@pytest.mark.parametrize("probe", [TLS11, TLS12_CBC_SHA1], ids=["tls1.1", "tls1.2-cbc-sha1"])
def test_refused_probes_succeed_against_a_permissive_server(proxy, probe):
    key = proxy.cert.with_name("tls.key")
    with permissive_tls_server(proxy.cert, key) as port, handshake(port, client_context(proxy.cert, *probe)) as tls:
        assert tls.version() == probe[0].name.replace("_", ".")  # TLSv1_1 -> "TLSv1.1"


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3], ids=["tls1.2", "tls1.3"])
def test_tls_1_2_and_1_3_are_accepted(proxy, version):
    with handshake(proxy.port, client_context(proxy.cert, version)) as tls:
        assert tls.version() == version.name.replace("_", ".")


def test_tls_1_2_negotiates_a_forward_secret_aead_suite(proxy):
    with handshake(proxy.port, client_context(proxy.cert, ssl.TLSVersion.TLSv1_2)) as tls:
        suite = tls.cipher()[0]
    assert suite.startswith("ECDHE-") and ("GCM" in suite or "CHACHA20" in suite), suite


def test_http2_is_offered_over_alpn(proxy):
    ctx = client_context(proxy.cert, ssl.TLSVersion.TLSv1_3)
    with handshake(proxy.port, ctx, alpn=["h2", "http/1.1"]) as tls:
        assert tls.selected_alpn_protocol() == "h2"


def test_responses_carry_hsts_for_at_least_a_year(proxy):
    hsts = proxy.get().getheader("Strict-Transport-Security")
    assert hsts is not None
    assert int(hsts.split("max-age=")[1].split(";")[0]) >= 365 * 24 * 3600


def test_security_headers_appear_once_even_when_grafana_sets_them(proxy):
    headers = proxy.get().headers
    for name in ("Strict-Transport-Security", "X-Content-Type-Options", "X-Frame-Options",
                 "Content-Security-Policy", "Referrer-Policy"):
        assert len(headers.get_all(name) or []) == 1, name
    assert headers["X-Frame-Options"] == "DENY"


def test_server_header_hides_the_nginx_version(proxy):
    assert proxy.get().getheader("Server") == "nginx"


def test_grafana_receives_the_host_with_its_port(proxy):
    assert proxy.seen_by_grafana()["host"] == [f"127.0.0.1:{proxy.port}"]


def test_grafana_receives_forwarded_proto_https(proxy):
    assert proxy.seen_by_grafana()["x-forwarded-proto"] == ["https"]


def test_client_supplied_forwarded_for_is_replaced_by_the_client_address(proxy):
    seen = proxy.seen_by_grafana({"X-Forwarded-For": "203.0.113.7"})
    assert seen["x-forwarded-for"] == ["127.0.0.1"]
    assert seen["x-real-ip"] == ["127.0.0.1"]


def test_websocket_upgrade_is_not_forwarded(proxy):
    seen = proxy.seen_by_grafana({"Upgrade": "websocket", "Connection": "Upgrade",
                                  "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
                                  "Sec-WebSocket-Version": "13"})
    assert "upgrade" not in seen
    assert "upgrade" not in " ".join(seen.get("connection", [])).lower()


def test_plain_http_is_redirected_to_https_on_the_same_host_and_port(proxy):
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=TIMEOUT)
    try:
        conn.request("GET", "/d/overview?orgId=1")
        response = conn.getresponse()
    finally:
        conn.close()
    assert response.status == 301
    assert response.getheader("Location") == f"https://127.0.0.1:{proxy.port}/d/overview?orgId=1"


def test_body_over_the_limit_is_rejected_with_413(proxy):
    limit = size_bytes(directive_args(product_config(), "client_max_body_size")[0])
    before = proxy.upstream.requests
    ctx = ssl.create_default_context(cafile=str(proxy.cert))
    conn = http.client.HTTPSConnection("127.0.0.1", proxy.port, context=ctx, timeout=TIMEOUT)
    try:
        # nginx decides on Content-Length alone, so the oversized body is never sent.
        conn.putrequest("POST", "/api/dashboards/db")
        conn.putheader("Content-Length", str(limit + 1))
        conn.endheaders()
        status = conn.getresponse().status
    finally:
        conn.close()
    assert status == 413
    assert proxy.upstream.requests == before


def test_body_at_the_limit_reaches_grafana(proxy):
    limit = size_bytes(directive_args(product_config(), "client_max_body_size")[0])
    response = https(proxy.port, proxy.cert, "POST", "/api/dashboards/db", body=b"x" * limit)
    assert response.status == 200
    assert json.loads(response.data)["body_length"] == limit


def test_health_endpoint_answers_without_grafana(proxy):
    before = proxy.upstream.requests
    response = proxy.get("/nginx-health")
    assert (response.status, response.data) == (200, b"ok\n")
    assert proxy.upstream.requests == before

