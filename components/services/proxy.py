"""The nginx TLS proxy: the stack's only published port, in front of Grafana."""

from __future__ import annotations

import posixpath

from components import constants as c
from components.model import DOCKER, ContainerSpec, File, Healthcheck, Port, Ref, Volume
from components.secret_names import TLS_CERTIFICATE, TLS_PRIVATE_KEY
from components.services.common import config_file, http_probe
from components.settings import Settings

CONFIG_PATH = "/etc/nginx/nginx.conf"
HEALTH_URL = f"https://127.0.0.1:{c.PORTS[c.PROXY]}/nginx-health"
HOST_TLS_DIR = "/etc/nginx/tls/host"  # where the host's certificate directory appears

# host-files: the certificate is renewed on the host, outside Pulumi (certbot, the enterprise PKI). The
# directory is mounted (a single-file bind would pin the old inode after a rename), and this loop reloads
# nginx when the pair's content changes and the new pair passes `nginx -t`; nginx stays PID 1.
WATCH_AND_RUN = r"""watch() {
  last=$(cat "$1" "$2" | md5sum)
  while sleep "${TLS_RELOAD_CHECK_SECONDS:-300}"; do
    now=$(cat "$1" "$2" | md5sum) || continue
    if [ "$now" != "$last" ] && nginx -t -q; then
      echo "TLS certificate changed: reloading nginx"; nginx -s reload && last=$now
    fi
  done
}
watch "$0" "$1" &
exec nginx -g 'daemon off;'
"""


def host_tls(settings: Settings) -> tuple[tuple[Volume, ...], str, str]:
    """(directory mounts, certificate path, key path) for the host's own certificate files: each file's
    directory, bind-mounted read-only; a missing directory fails the container's creation."""
    cert_dir, key_dir = (posixpath.dirname(p) for p in (settings.tls.host_cert_path, settings.tls.host_key_path))
    cert_mount, key_mount = (HOST_TLS_DIR, HOST_TLS_DIR) if cert_dir == key_dir else (
        f"{HOST_TLS_DIR}-cert", f"{HOST_TLS_DIR}-key")
    mounts = tuple(Volume(source, target, read_only=True, bind=True)
                   for source, target in sorted({(cert_dir, cert_mount), (key_dir, key_mount)}))
    return (mounts, posixpath.join(cert_mount, posixpath.basename(settings.tls.host_cert_path)),
            posixpath.join(key_mount, posixpath.basename(settings.tls.host_key_path)))


def spec(settings: Settings) -> ContainerSpec:
    nginx_conf = config_file(c.PROXY, "nginx.conf", CONFIG_PATH)
    if settings.tls.source == "host-files":
        mounts, cert, key = host_tls(settings)
        assert isinstance(nginx_conf.content, str)
        conf = nginx_conf.content.replace(c.TLS_CERT_PATH, cert).replace(c.TLS_KEY_PATH, key)
        files: tuple[File, ...] = (File(CONFIG_PATH, conf),)
        entrypoint: tuple[str, ...] = ("/bin/sh", "-c")
        command: tuple[str, ...] = (WATCH_AND_RUN, cert, key)
    else:
        # Generated or from secret config: Pulumi uploads it, so a new certificate recreates the proxy.
        mounts, entrypoint, command = (), (), ()
        files = (nginx_conf, File(c.TLS_CERT_PATH, Ref(TLS_CERTIFICATE, secret=False)),
                 File(c.TLS_KEY_PATH, Ref(TLS_PRIVATE_KEY), 0o400))
    return ContainerSpec(
        service=c.PROXY,
        name=c.container_name(c.PROXY),
        image=settings.images[c.PROXY],
        entrypoint=entrypoint,
        command=command,
        files=files,
        volumes=mounts,
        ports=(Port(c.PORTS[c.PROXY], settings.grafana.port),),
        # busybox wget in the alpine image; the certificate is for the public name, not 127.0.0.1.
        healthcheck=Healthcheck(http_probe(HEALTH_URL, "--no-check-certificate"), start_period="10s"),
        memory_mb=settings.memory_mb[c.PROXY],
        depends_on=(c.GRAFANA,),
        targets=frozenset({DOCKER}),  # a cluster's ingress controller terminates TLS instead
    )
