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
# What a receiver of each type cannot work without (Grafana's alerting receivers validate these on load;
# email also needs Grafana's SMTP relay, smtp_environment).
REQUIRED_SETTINGS = {"email": ("addresses",), "webhook": ("url",), "teams": ("url",)}
SENDER_NAME = "Platform alerts"


def needs_contact_url(settings: Settings) -> bool:
    """Whether Grafana needs the secret contact URL file (webhook and Teams contact points)."""
    return settings.alerts.contact_type in ("webhook", "teams")


def needs_smtp_password(settings: Settings) -> bool:
    return bool(settings.smtp and settings.smtp.enabled and settings.smtp.user)


def smtp_environment(settings: Settings) -> dict[str, str]:
    """Grafana's [smtp] section as GF_ variables: empty unless an SMTP relay is configured."""
    smtp = settings.smtp
    if not smtp or not smtp.enabled:
        return {}
    env = {
        "GF_SMTP_ENABLED": "true",
        "GF_SMTP_HOST": f"{smtp.host}:{smtp.port}",
        "GF_SMTP_FROM_ADDRESS": smtp.from_address,
        "GF_SMTP_FROM_NAME": SENDER_NAME,
        "GF_SMTP_STARTTLS_POLICY": smtp.starttls_policy,
        "GF_SMTP_SKIP_VERIFY": "false",  # the relay's certificate is always verified
    }
    if smtp.user:
        env |= {"GF_SMTP_USER": smtp.user, "GF_SMTP_PASSWORD__FILE": c.SMTP_PASSWORD_FILE}
    return env


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
    receiver_settings = _receiver_settings(settings)
    missing = [key for key in REQUIRED_SETTINGS[settings.alerts.contact_type] if not receiver_settings.get(key)]
    if missing:  # settings validation prevents this; Grafana would refuse the whole file
        raise ValueError(f"{settings.alerts.contact_type} contact point without {', '.join(missing)}")
    receiver = {"uid": CONTACT_POINT_UID, "type": settings.alerts.contact_type,
                "settings": receiver_settings, "disableResolveMessage": False}
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
