"""The proxy's certificate on azure-dev (host-files): the host's directory, mounted read-only, with
nginx pointed at the files inside it and a watcher that reloads nginx on renewal."""

from __future__ import annotations

from dataclasses import replace

import pytest

from components import constants as c
from components.services import proxy
from components.settings import from_stack_file


@pytest.fixture(scope="module")
def azure_dev():
    return from_stack_file("azure-dev")


def test_the_certificate_directory_is_bind_mounted_read_only_not_the_files(azure_dev):
    spec = proxy.spec(azure_dev)
    assert [(v.source, v.container_path, v.read_only, v.bind) for v in spec.volumes] == [
        ("/etc/ssl/aiforceasses", "/etc/nginx/tls/host", True, True)]
    assert [f.path for f in spec.files] == [proxy.CONFIG_PATH]


def test_nginx_reads_the_pair_from_the_mounted_directory(azure_dev):
    conf = proxy.spec(azure_dev).files[0].content
    assert "ssl_certificate /etc/nginx/tls/host/fullchain.pem;" in conf
    assert "ssl_certificate_key /etc/nginx/tls/host/privkey.pem;" in conf
    assert c.TLS_CERT_PATH not in conf and c.TLS_KEY_PATH not in conf


def test_a_key_in_another_directory_gets_its_own_mount(azure_dev):
    tls = replace(azure_dev.tls, host_key_path="/etc/ssl/private/aiforceasses.key")
    spec = proxy.spec(replace(azure_dev, tls=tls))
    assert sorted((v.source, v.container_path) for v in spec.volumes) == [
        ("/etc/ssl/aiforceasses", "/etc/nginx/tls/host-cert"), ("/etc/ssl/private", "/etc/nginx/tls/host-key")]
    assert "ssl_certificate_key /etc/nginx/tls/host-key/aiforceasses.key;" in spec.files[0].content


def test_the_proxy_watches_the_pair_and_keeps_nginx_in_the_foreground(azure_dev):
    spec = proxy.spec(azure_dev)
    assert spec.entrypoint == ("/bin/sh", "-c") and spec.command == (
        proxy.WATCH_AND_RUN, "/etc/nginx/tls/host/fullchain.pem", "/etc/nginx/tls/host/privkey.pem")
    assert spec.command[0].rstrip().endswith("exec nginx -g 'daemon off;'")


def test_a_generated_certificate_is_uploaded_and_nginx_runs_as_the_image_starts_it():
    spec = proxy.spec(from_stack_file("local"))
    assert {f.path for f in spec.files} == {proxy.CONFIG_PATH, c.TLS_CERT_PATH, c.TLS_KEY_PATH}
    assert (spec.entrypoint, spec.command, spec.volumes) == ((), (), ())
