"""How users reach Grafana: its port, domain and admin login, and the frontend its dashboards link to."""

from __future__ import annotations

import re
from dataclasses import dataclass

from components import constants as c
from components.settings import formats as f
from components.settings.reader import Reader
from components.settings.secret import Secret

MIN_GIVEN_PASSWORD = 20
MIN_PASSWORD_ANY_SOURCE = 32


@dataclass(frozen=True)
class GrafanaAccess:
    port: int
    domain: str
    admin_user: str
    admin_password: Secret | None

    @property
    def root_url(self) -> str:
        port = "" if self.port == 443 else f":{self.port}"  # browsers never show :443
        return f"https://{self.domain}{port}/"


def read_grafana(r: Reader) -> GrafanaAccess:
    # A trailing-dot FQDN is the same name: kept without the dot (an Ingress host or a cookie domain refuses it).
    return GrafanaAccess(r.integer("grafanaPort", 1, 65535),
                         r.string("domain", fmt=f.HOST_NAME, required=True).removesuffix("."),
                         r.string("grafanaAdminUser", fmt=f.LOGIN, required=True),
                         r.secret("grafanaAdminPassword"))


def read_frontend_url(r: Reader, grafana: GrafanaAccess) -> str:
    """frontendUrl: where the dashboards' links to the platform's frontend go (empty: Grafana's domain)."""
    frontend_url = r.string("frontendUrl") or f"https://{grafana.domain}"
    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", frontend_url):
        r.problem("frontendUrl", frontend_url, "must be an http(s) URL such as https://app.example.com")
    return frontend_url


def check_grafana(r: Reader, grafana: GrafanaAccess, any_source: bool) -> None:
    """`any_source`: the entry (an NSG rule, a Kubernetes ingress) is open to any source by allowAnySource."""
    password = grafana.admin_password
    minimum = MIN_PASSWORD_ANY_SOURCE if any_source else MIN_GIVEN_PASSWORD
    if password and password.known and len(password.reveal()) < minimum:
        r.problem("grafanaAdminPassword", "[secret]", f"must be at least {minimum} characters"
                  + (" because allowAnySource is true" if minimum == MIN_PASSWORD_ANY_SOURCE else ""))
    admin_ports = sorted(c.PORTS[s] for s in c.ADMIN_PORT_SERVICES)
    if grafana.port in admin_ports:
        r.problem("grafanaPort", grafana.port, "collides with a host port adminPortsOnLoopback binds "
                  f"({', '.join(map(str, admin_ports))}); choose another")
