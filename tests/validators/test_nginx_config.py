"""The proxy's nginx.conf: accepted by a real `nginx -t`, and the policy the issue asks for in the file."""

from __future__ import annotations

import re
import subprocess

from components import constants as c
from tests.validators.nginx_harness import (directive_args, map_for_local_nginx, product_config, size_bytes,
                                            write_mapped_config)
from tests.validators.tools import free_port, require_tool

MOZILLA_INTERMEDIATE_TLS12 = (
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
)


def test_real_nginx_accepts_the_mapped_config(tmp_path):
    nginx = require_tool("nginx")
    conf = write_mapped_config(require_tool("openssl"), tmp_path, free_port(), free_port())
    result = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(conf)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_mapping_leaves_no_container_path_or_name(tmp_path):
    mapped = map_for_local_nginx(product_config(), root=tmp_path, port=1, upstream_port=2)
    mapped = re.sub(r"#[^\n]*", "", mapped)
    for leftover in ("http2 on;", "9999", "grafana:3000", "user nginx;", " /etc/nginx/", " /tmp/nginx"):
        assert leftover not in mapped, leftover


def test_listens_with_tls_on_the_proxy_port_only():
    assert directive_args(product_config(), "listen") == [f"{c.PORTS[c.PROXY]} ssl"]


def test_http2_uses_the_current_directive():
    assert directive_args(product_config(), "http2") == ["on"]


def test_ssl_protocols_are_exactly_tls12_and_tls13():
    assert directive_args(product_config(), "ssl_protocols") == ["TLSv1.2 TLSv1.3"]


def test_tls12_ciphers_are_mozilla_intermediate():
    assert directive_args(product_config(), "ssl_ciphers") == [MOZILLA_INTERMEDIATE_TLS12]


def test_session_tickets_and_server_cipher_preference_are_off():
    conf = product_config()
    assert directive_args(conf, "ssl_session_tickets") == ["off"]
    assert directive_args(conf, "ssl_prefer_server_ciphers") == ["off"]


def test_certificate_and_key_are_the_shared_container_paths():
    conf = product_config()
    assert directive_args(conf, "ssl_certificate") == [c.TLS_CERT_PATH]
    assert directive_args(conf, "ssl_certificate_key") == [c.TLS_KEY_PATH]


def test_hsts_lasts_at_least_a_year_on_every_response():
    hsts = [a for a in directive_args(product_config(), "add_header") if a.startswith("Strict-Transport-Security")]
    assert len(hsts) == 1
    max_age = int(re.search(r"max-age=(\d+)", hsts[0]).group(1))
    assert max_age >= 365 * 24 * 3600
    assert hsts[0].endswith(" always")


def test_security_headers_are_set_on_every_response():
    names = {a.split()[0]: a for a in directive_args(product_config(), "add_header")}
    for name in ("X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy", "Referrer-Policy"):
        assert names[name].endswith(" always"), name
    assert "frame-ancestors 'none'" in names["Content-Security-Policy"]


def test_no_location_overrides_the_server_headers():
    # add_header in a location would silently drop every server-level header there.
    conf = re.sub(r"#[^\n]*", "", product_config())
    for block in re.findall(r"location[^{]*\{[^}]*\}", conf):
        assert "add_header" not in block, block


def test_grafana_receives_the_host_with_its_port():
    assert "Host $http_host" in directive_args(product_config(), "proxy_set_header")


def test_grafana_receives_forwarded_headers():
    headers = directive_args(product_config(), "proxy_set_header")
    assert "X-Forwarded-Proto $scheme" in headers
    assert "X-Forwarded-For $remote_addr" in headers


def test_no_websocket_upgrade_is_forwarded():
    conf = re.sub(r"#[^\n]*", "", product_config())
    assert "upgrade" not in conf.lower()
    assert 'Connection ""' in directive_args(conf, "proxy_set_header")
    assert directive_args(conf, "proxy_http_version") == ["1.1"]


def test_upstream_is_grafana_by_literal_name():
    conf = product_config()
    assert directive_args(conf, "proxy_pass") == ["http://grafana_upstream"]
    assert f"{c.GRAFANA}:{c.PORTS[c.GRAFANA]} resolve" in directive_args(conf, "server")


def test_plain_http_redirects_to_the_requested_host_and_port():
    assert directive_args(product_config(), "error_page") == ["497 =301 https://$http_host$request_uri"]


def test_request_bodies_are_limited():
    (limit,) = directive_args(product_config(), "client_max_body_size")
    assert 0 < size_bytes(limit) <= 100 * 1024**2


def test_version_is_hidden():
    assert directive_args(product_config(), "server_tokens") == ["off"]


def test_runtime_writes_stay_under_tmp_for_a_read_only_root():
    conf = product_config()
    paths = directive_args(conf, "pid") + [
        directive_args(conf, f"{module}_temp_path")[0]
        for module in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    ]
    assert all(path.startswith("/tmp/") for path in paths), paths


def test_logs_go_to_docker():
    conf = product_config()
    assert directive_args(conf, "error_log") == ["stderr warn"]
    assert directive_args(conf, "access_log")[0].startswith("/dev/stdout")
