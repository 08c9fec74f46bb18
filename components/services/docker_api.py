"""A read-only Docker API in front of the Docker socket: the only container that mounts the socket.

Alloy reads container lists and logs through it (`tcp://docker-api:2375`) and runs as its non-root
user on every stack, with no socket and no need to know the host's docker group id.
"""

from __future__ import annotations

from components import constants as c
from components.model import DOCKER, ContainerSpec, Healthcheck, Volume
from components.services.common import config_file, http_probe
from components.settings import Settings

SERVICE = "docker-api"
PORT = 2375
URL = f"tcp://{SERVICE}:{PORT}"  # what Alloy's Docker clients connect to
DOCKER_SOCKET = "/var/run/docker.sock"


def spec(settings: Settings) -> ContainerSpec:
    return ContainerSpec(
        service=SERVICE,
        name=c.container_name(SERVICE),
        image=settings.images[c.PROXY],  # the pinned nginx image, already pulled for the TLS proxy
        files=(config_file(SERVICE, "nginx.conf", "/etc/nginx/nginx.conf"),),
        volumes=(Volume(DOCKER_SOCKET, DOCKER_SOCKET, read_only=True, bind=True),),
        healthcheck=Healthcheck(http_probe(f"http://127.0.0.1:{PORT}/_ping"), start_period="10s"),
        memory_mb=32,
        networks=(c.DOCKER_API_NETWORK,),  # Alloy's alone: not on the stack network Grafana sits on
        targets=frozenset({DOCKER}),  # a cluster has no Docker socket: Alloy reads pod logs from the API there
    )
