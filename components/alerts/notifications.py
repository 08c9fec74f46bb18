"""Where platform alerts go: one contact point from alertContactType / alertContactAddress, and a
notification policy that routes every alert of this Grafana to it.

A webhook or Teams URL may carry a token, so it is not written into the file: the file names the env
var CONTACT_URL_ENV, which Grafana expands when it provisions, and `environment()` gives its value.
"""

from __future__ import annotations

import re
from typing import Any

from components.alerts.rules import ORG_ID, escape
from components.settings import Settings

CONTACT_POINT = "Platform on-call"
CONTACT_POINT_UID = "platform-contact"
CONTACT_URL_ENV = "ALERT_CONTACT_URL"


def environment(settings: Settings) -> dict[str, str]:
    """Env vars the Grafana container needs for the contact point (none for email or none)."""
    if settings.alerts.contact_type in ("webhook", "teams"):
        return {CONTACT_URL_ENV: settings.alerts.contact_address}
    return {}


def _receiver_settings(settings: Settings) -> dict[str, Any]:
    kind = settings.alerts.contact_type
    if kind == "email":
        addresses = [a.strip() for a in re.split(r"[,;\s]+", settings.alerts.contact_address) if a.strip()]
        return {"addresses": escape(";".join(addresses)), "singleEmail": False}
    url = f"${{{CONTACT_URL_ENV}}}"
    if kind == "webhook":
        return {"url": url, "httpMethod": "POST"}
    return {"url": url}  # teams: an incoming-webhook or Workflows URL


def contact_points(settings: Settings) -> dict[str, Any] | None:
    if settings.alerts.contact_type == "none":
        return None
    receiver = {"uid": CONTACT_POINT_UID, "type": settings.alerts.contact_type,
                "settings": _receiver_settings(settings), "disableResolveMessage": False}
    return {"apiVersion": 1,
            "contactPoints": [{"orgId": ORG_ID, "name": CONTACT_POINT, "receivers": [receiver]}]}


def policies(settings: Settings) -> dict[str, Any] | None:
    """The root policy: this Grafana only holds platform alerts, so all of them go to the contact point."""
    if settings.alerts.contact_type == "none":
        return None
    return {"apiVersion": 1, "policies": [{
        "orgId": ORG_ID,
        "receiver": CONTACT_POINT,
        "group_by": ["grafana_folder", "alertname"],
        "group_wait": "30s",
        "group_interval": "5m",
        "repeat_interval": "4h",
    }]}
