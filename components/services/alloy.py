"""Alloy: Docker logs → Loki (parsed, labelled, redacted), OTLP → Tempo and Prometheus, self-scrape,
per-volume disk usage, and the optional exporters each enabled by its own setting. On Railway: OTLP in
(apps push; no Docker socket, no host paths), and in the grafana-cloud mode Alloy alone, writing to Grafana
Cloud instead of this stack's backends."""

from __future__ import annotations

from dataclasses import replace

from components import constants as c
from components.model import (DOCKER, KUBERNETES, RAILWAY, Content, ContainerSpec, File, Flow, Healthcheck,
                              HttpCheck, Listen, Override, Ref, Volume, data_volume_name, frozen_env)
from components.secret_names import GRAFANA_CLOUD_TOKEN, POSTGRES_READONLY_PASSWORD, REDIS_PASSWORD
from components.services import docker_api, postgres_readonly
from components.services.common import CONFIG_DIR, SCRAPED, SCRATCH, admin_ports, config_file
from components.settings import Settings

CONFIG_DIR_IN_CONTAINER = "/etc/alloy"
STORAGE_PATH = "/var/lib/alloy/data"
ALLOY_UID = "473"  # the image's non-root `alloy` user
REDIS_PASSWORD_FILE = f"{c.SECRETS_DIR}/{REDIS_PASSWORD}"
POSTGRES_DSN_FILE = f"{c.SECRETS_DIR}/postgres_exporter_dsn"

# No curl or wget in the image (alloy#477): bash's /dev/tcp asks /-/ready for a 200.
READY_PROBE = ("exec 3<>/dev/tcp/127.0.0.1/12345 && printf 'GET /-/ready HTTP/1.0\\r\\n\\r\\n' >&3 "
               "&& head -n 1 <&3 | grep -q ' 200 '")


# config/alloy/*.alloy: Alloy loads every file of its config directory as one configuration. The log
# pipeline and OTLP routing are shared by every target; the rest is chosen per target.
SHARED_FILES = ("logs-process.alloy", "otlp.alloy")
STACK_WRITE_FILES = ("write-stack.alloy", "stack-metrics.alloy")  # ship to this stack's own backends
CLOUD_WRITE_FILE = "write-grafana-cloud.alloy"  # grafana-cloud mode: ship to Grafana Cloud instead
DOCKER_HOST_FILES = ("docker-logs.alloy", "docker-volumes.alloy")
# Pod logs through the API (no host mounts); claim usage from the kubelets, named like docker-volumes.alloy.
KUBERNETES_FILES = ("kubernetes-logs.alloy", "kubernetes-volumes.alloy")
DOCKER_ONLY = frozenset({DOCKER})
KUBERNETES_ONLY = frozenset({KUBERNETES})
DOCKER_AND_RAILWAY = frozenset({DOCKER, RAILWAY})


def _config_files(names: tuple[str, ...], targets: frozenset[str] | None = None) -> tuple[File, ...]:
    files = (config_file(c.ALLOY, name, f"{CONFIG_DIR_IN_CONTAINER}/{name}") for name in names)
    return tuple(replace(f, targets=targets) if targets else f for f in files)


def _exporter_file(name: str) -> File:
    source = CONFIG_DIR / c.ALLOY / "exporters" / f"{name}.alloy"
    return File(f"{CONFIG_DIR_IN_CONTAINER}/{name}.alloy", source.read_text())


def _exporters(settings: Settings) -> tuple[tuple[File, ...], tuple[Volume, ...], dict[str, str]]:
    files: list[File] = []
    volumes: list[Volume] = []
    env: dict[str, str] = {}
    pg = settings.postgres
    if settings.exporters.postgres:
        files += [_exporter_file("postgres"),
                  File(POSTGRES_DSN_FILE, Ref(POSTGRES_READONLY_PASSWORD, template=(
                      f"postgresql://{c.POSTGRES_READONLY_USER}:{{}}@{pg.host}:{pg.port}/{pg.database}"
                      f"?sslmode={pg.sslmode}"), quoting="url"), 0o400)]
    if settings.exporters.redis:
        files.append(_exporter_file("redis"))
        env["REDIS_ADDRESS"] = settings.exporters.redis_address
        if settings.exporters.redis_password:
            files.append(File(REDIS_PASSWORD_FILE, Ref(REDIS_PASSWORD), 0o400))
            env["REDIS_PASSWORD_FILE"] = REDIS_PASSWORD_FILE  # unset means no password
    if settings.exporters.host:
        files.append(_exporter_file("host"))
        volumes += [Volume("/proc", "/host/proc", True, True), Volume("/sys", "/host/sys", True, True),
                    Volume("/", "/host/root", True, True)]
    if settings.exporters.containers:
        files.append(_exporter_file("containers"))
        volumes += [Volume("/sys", "/sys", True, True), Volume("/var/lib/docker", "/var/lib/docker", True, True),
                    Volume("/dev/disk", "/dev/disk", True, True)]
    return tuple(files), tuple(volumes), env


def _user(settings: Settings) -> str | None:
    """The image's non-root user: Docker is reached through the read-only API, not a socket. cAdvisor
    (exportContainerMetrics) reads every container's cgroups: privileged, as root."""
    return None if settings.exporters.containers else f"{ALLOY_UID}:{ALLOY_UID}"


def replicas(settings: Settings) -> int:
    return settings.kubernetes.alloy_replicas if settings.kubernetes else 1


def _cluster_args(count: int) -> tuple[str, ...]:
    """alloyReplicas above 1: Alloy clustering, its gossip over the HTTP port, joined through the headless
    Service's DNS (every Alloy pod). The `clustering` blocks of the pod-log source and the scrapes then share
    their targets among the pods, each target handled by one (a no-op on a single instance)."""
    if count == 1:
        return ()
    return ("--cluster.enabled=true",
            f"--cluster.join-addresses={c.headless_service(c.ALLOY)}:{c.PORTS[c.ALLOY]}")


def _write(settings: Settings) -> tuple[tuple[str, ...], dict[str, Content]]:
    """Where the pipeline ships: its write files and the variables they read."""
    if not settings.ships_to_grafana_cloud:
        return STACK_WRITE_FILES, {
            "STACK_ENVIRONMENT": settings.environment,
            "LOKI_PUSH_URL": f"http://{c.LOKI}:{c.PORTS[c.LOKI]}/loki/api/v1/push",
            "PROMETHEUS_REMOTE_WRITE_URL": f"http://{c.PROMETHEUS}:{c.PORTS[c.PROMETHEUS]}/api/v1/write",
            "TEMPO_OTLP_ENDPOINT": f"{c.TEMPO}:{c.OTLP_GRPC_PORT}"}
    assert settings.railway is not None
    cloud = settings.railway.cloud  # basic auth: each signal's numeric user, one token from a secret
    return (CLOUD_WRITE_FILE,), {
        "STACK_ENVIRONMENT": settings.environment,
        "GRAFANA_CLOUD_LOKI_URL": cloud.loki_url, "GRAFANA_CLOUD_LOKI_USER": cloud.loki_user,
        "GRAFANA_CLOUD_PROMETHEUS_URL": cloud.prometheus_url, "GRAFANA_CLOUD_PROMETHEUS_USER": cloud.prometheus_user,
        "GRAFANA_CLOUD_TEMPO_ENDPOINT": cloud.tempo_endpoint, "GRAFANA_CLOUD_TEMPO_USER": cloud.tempo_user,
        "GRAFANA_CLOUD_TOKEN": Ref(GRAFANA_CLOUD_TOKEN)}


def spec(settings: Settings) -> ContainerSpec:
    count = replicas(settings)
    exporter_files, exporter_volumes, exporter_env = _exporters(settings)
    write_files, write_env = _write(settings)
    # Each service's data volume, read-only, so the filesystem collector reports how full it is.
    watched = tuple(Volume(data_volume_name(s), f"/volumes/{s}", read_only=True)
                    for s in (c.GRAFANA, c.LOKI, c.TEMPO, c.PROMETHEUS))
    return ContainerSpec(
        service=c.ALLOY,
        name=c.container_name(c.ALLOY),
        image=settings.images[c.ALLOY],
        # A directory: Alloy loads every *.alloy file in it, so an exporter is on when its file is there.
        command=("run", f"--server.http.listen-addr=0.0.0.0:{c.PORTS[c.ALLOY]}",
                 f"--storage.path={STORAGE_PATH}", *_cluster_args(count), CONFIG_DIR_IN_CONTAINER),
        env=frozen_env(**write_env, DOCKER_API_URL=docker_api.URL, **exporter_env),
        files=(*_config_files(SHARED_FILES + write_files), *_config_files(DOCKER_HOST_FILES, DOCKER_ONLY),
               *_config_files(KUBERNETES_FILES, KUBERNETES_ONLY), *exporter_files),
        # Docker host: positions on a volume, and every data volume to report how full it is (container logs
        # come through the read-only Docker API). A cluster reports volume usage through the kubelet instead,
        # and Alloy keeps positions in scratch. Railway keeps positions on a volume too, and has no host paths.
        volumes=(Volume(data_volume_name(c.ALLOY), STORAGE_PATH, targets=DOCKER_AND_RAILWAY),
                 *(replace(v, targets=DOCKER_ONLY) for v in (
                     *watched, Volume(data_volume_name(c.ALLOY), "/volumes/alloy", read_only=True),
                     *exporter_volumes))),
        ports=admin_ports(settings, c.ALLOY),
        healthcheck=Healthcheck(("CMD", "bash", "-c", READY_PROBE)),
        memory_mb=settings.memory_mb[c.ALLOY],
        user=_user(settings),
        privileged=settings.exporters.containers,  # cAdvisor reads cgroups of every container
        platform_network=True,  # receives OTLP from, and scrapes, the platform's containers
        networks=(c.STACK_NETWORK, c.DOCKER_API_NETWORK),  # the second reaches the Docker API proxy
        http_check=HttpCheck("/-/ready", c.PORTS[c.ALLOY]),
        run_as=(int(ALLOY_UID), int(ALLOY_UID)),
        scratch_dirs=(STORAGE_PATH, *SCRATCH),
        listens=(Listen("http", c.PORTS[c.ALLOY]), Listen("otlp-grpc", c.OTLP_GRPC_PORT, from_platform=True),
                 Listen("otlp-http", c.OTLP_HTTP_PORT, from_platform=True)),
        # write-stack.alloy's three writes, and stack-metrics.alloy's scrape of the other services.
        connects_to=tuple(sorted({Flow(c.LOKI, c.PORTS[c.LOKI]), Flow(c.PROMETHEUS, c.PORTS[c.PROMETHEUS]),
                                  Flow(c.TEMPO, c.OTLP_GRPC_PORT),
                                  *(Flow(s, c.PORTS[s]) for s in SCRAPED if s != c.ALLOY)},
                                 key=lambda f: (f.service, f.port))),
        reads_cluster_api=True,  # kubernetes-logs.alloy: discovery.kubernetes and loki.source.kubernetes
        # The Postgres exporter logs in with the password the role job sets: that job runs first.
        depends_on=(docker_api.SERVICE, *((postgres_readonly.SERVICE,) if settings.exporters.postgres else ())),
        replicas=count,
        peer_ports=(Listen("http", c.PORTS[c.ALLOY]),) if count > 1 else (),
        overrides=(Override(RAILWAY, env=frozen_env(**write_env, **exporter_env)),),  # Railway has no Docker API
    )
