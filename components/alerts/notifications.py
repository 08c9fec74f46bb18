"""Where platform alerts go: one contact point from alertContactType / alertContactAddress, and a
notification policy that routes every alert of this Grafana to it.

A webhook or Teams URL carries a token, so it is not written into the file: Grafana reads it from the
secret file CONTACT_URL_FILE (`$__file{}`, expanded when it provisions).
"""

from __future__ import annotations

import re
from typing import Any

from components import constants as c
from components.alerts.rules import ORG_ID, escape
from components.settings import Settings

CONTACT_POINT = "Platform on-call"
CONTACT_POINT_UID = "platform-contact"
CONTACT_URL_FILE = c.ALERT_CONTACT_URL_FILE


def needs_contact_url(settings: Settings) -> bool:
    """Whether Grafana needs the secret contact URL file (webhook and Teams contact points)."""
    return settings.alerts.contact_type in ("webhook", "teams")


def _receiver_settings(settings: Settings) -> dict[str, Any]:
    kind = settings.alerts.contact_type
    if kind == "email":
        addresses = [a.strip() for a in re.split(r"[,;\s]+", settings.alerts.contact_address) if a.strip()]
        return {"addresses": escape(";".join(addresses)), "singleEmail": False}
    url = f"$__file{{{CONTACT_URL_FILE}}}"
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
