"""The nginx TLS proxy: the stack's only published port, in front of Grafana."""

from __future__ import annotations

from components import constants as c
from components.model import DOCKER, ContainerSpec, File, Healthcheck, Port, Ref, Volume
from components.services.common import config_file, http_probe
from components.settings import Settings

CONFIG_PATH = "/etc/nginx/nginx.conf"
HEALTH_URL = f"https://127.0.0.1:{c.PORTS[c.PROXY]}/nginx-health"


def _certificate(settings: Settings) -> tuple[tuple[File, ...], tuple[Volume, ...]]:
    """The certificate as uploaded files (generated or from secret config) or the host's own files."""
    if settings.tls.source == "host-files":
        return (), (Volume(settings.tls.host_cert_path, c.TLS_CERT_PATH, read_only=True, bind=True),
                    Volume(settings.tls.host_key_path, c.TLS_KEY_PATH, read_only=True, bind=True))
    return (File(c.TLS_CERT_PATH, Ref("tls_certificate", secret=False)),
            File(c.TLS_KEY_PATH, Ref("tls_private_key"), 0o400)), ()


def spec(settings: Settings) -> ContainerSpec:
    tls_files, tls_volumes = _certificate(settings)
    return ContainerSpec(
        service=c.PROXY,
        name=c.container_name(c.PROXY),
        image=settings.images[c.PROXY],
        files=(config_file(c.PROXY, "nginx.conf", CONFIG_PATH), *tls_files),
        volumes=tls_volumes,
        ports=(Port(c.PORTS[c.PROXY], settings.grafana.port),),
        # busybox wget in the alpine image; the certificate is for the public name, not 127.0.0.1.
        healthcheck=Healthcheck(http_probe(HEALTH_URL, "--no-check-certificate"), start_period="10s"),
        memory_mb=settings.memory_mb[c.PROXY],
        depends_on=(c.GRAFANA,),
        targets=frozenset({DOCKER}),  # a cluster's ingress controller terminates TLS instead
    )
