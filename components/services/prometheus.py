"""Prometheus: TSDB on a named volume, remote-write and OTLP receivers, exemplars. It evaluates no rules:
Grafana evaluates config/prometheus/rules/stack.yml (components/alerts/stack_health.py) and routes them."""

from components import constants as c
from components.model import (RAILWAY, ContainerSpec, Flow, Healthcheck, HttpCheck, Listen, Override, Volume,
                              data_volume_name)
from components.services.common import SCRATCH, SCRAPED, admin_ports, config_file, http_check_probe
from components.settings import Settings

CONFIG_PATH = "/etc/prometheus/prometheus.yml"
DATA_PATH = "/prometheus"
HEALTH = HttpCheck("/-/ready", c.PORTS[c.PROMETHEUS], live_path="/-/healthy")


def command(settings: Settings) -> tuple[str, ...]:
    return (
        f"--config.file={CONFIG_PATH}",
        f"--storage.tsdb.path={DATA_PATH}",
        # Retention is this stack's value; the flag keeps prometheus.yml identical for every environment.
        f"--storage.tsdb.retention.time={settings.retention.prometheus_days}d",
        "--web.enable-remote-write-receiver",  # Alloy and Tempo's metrics-generator push here
        "--web.enable-otlp-receiver",
        "--enable-feature=exemplar-storage",  # without it remote-written exemplars are dropped
    )


def spec(settings: Settings) -> ContainerSpec:
    return ContainerSpec(
        service=c.PROMETHEUS,
        name=c.container_name(c.PROMETHEUS),
        image=settings.images[c.PROMETHEUS],
        command=command(settings),
        files=(config_file(c.PROMETHEUS, "prometheus.yml", CONFIG_PATH),),
        volumes=(Volume(data_volume_name(c.PROMETHEUS), DATA_PATH),),
        ports=admin_ports(settings, c.PROMETHEUS),
        healthcheck=Healthcheck(http_check_probe(HEALTH)),
        memory_mb=settings.memory_mb[c.PROMETHEUS],
        user="65534:65534",
        http_check=HEALTH,
        scratch_dirs=SCRATCH,
        listens=(Listen("http", c.PORTS[c.PROMETHEUS]),),
        connects_to=tuple(Flow(s, c.PORTS[s]) for s in SCRAPED if s != c.PROMETHEUS),  # prometheus.yml's jobs
        # Railway's private network may be IPv6 only: the listener, left to its default elsewhere, binds [::].
        overrides=(Override(RAILWAY, command=(*command(settings),
                                              f"--web.listen-address=[::]:{c.PORTS[c.PROMETHEUS]}")),),
    )
