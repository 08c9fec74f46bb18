"""Helpers every service spec shares: reading files from config/, ports on the loopback, network sets."""

from __future__ import annotations

from pathlib import Path

from components import constants as c
from components.model import File, HttpCheck, Port
from components.settings import Settings

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"
SCRATCH = ("/tmp",)  # writable scratch every image expects beside its data volume
# The services every self-hosted stack scrapes (prometheus.yml's jobs, Alloy's stack-metrics.alloy).
SCRAPED = (c.GRAFANA, c.LOKI, c.TEMPO, c.PROMETHEUS, c.ALLOY)


def config_file(service: str, relative: str, container_path: str) -> File:
    """A file from config/<service>/ mounted as it is."""
    return File(container_path, (CONFIG_DIR / service / relative).read_text())


def config_tree(service: str, relative_dir: str, container_dir: str, pattern: str = "*") -> tuple[File, ...]:
    """Every file matching `pattern` under config/<service>/<relative_dir>, at the same relative path."""
    base = CONFIG_DIR / service / relative_dir
    return tuple(File(f"{container_dir.rstrip('/')}/{p.relative_to(base).as_posix()}", p.read_text())
                 for p in sorted(base.rglob(pattern)) if p.is_file())


def admin_ports(settings: Settings, service: str) -> tuple[Port, ...]:
    """With adminPortsOnLoopback, the service's UI/API on 127.0.0.1 only (reached through an SSH tunnel)."""
    if not settings.docker.admin_ports_on_loopback:
        return ()
    port = c.PORTS[service]
    return (Port(port, port, "127.0.0.1"),)


def http_probe(url: str, *wget_flags: str) -> tuple[str, ...]:
    """A healthcheck for images that ship busybox wget (Grafana, Prometheus, nginx)."""
    return ("CMD", "wget", "-q", "-O", "/dev/null", *wget_flags, url)


def http_check_probe(check: HttpCheck) -> tuple[str, ...]:
    """The Docker healthcheck asking what the spec's structured check asks (the cluster's probes do too)."""
    return http_probe(f"http://127.0.0.1:{check.port}{check.path}")
