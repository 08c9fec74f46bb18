"""Program plumbing `__main__.py` calls: settings loading with a clean error, and the warnings a deploy gets."""

from __future__ import annotations

import pulumi

from components import settings as settings_module
from components.settings import Settings, SettingsError


def load_settings() -> Settings:
    """Settings, or one clear message (RunError prints no traceback) before any resource exists."""
    try:
        settings = settings_module.from_pulumi()
    except SettingsError as error:
        raise pulumi.RunError(str(error)) from None
    if unrouted_alerts(settings):
        pulumi.log.warn(
            f"alertContactType is none on {settings.environment}: every alert rule evaluates in Grafana but "
            "notifies nobody. Set alertContactType (email | webhook | teams) with its address or URL; see README, "
            "'Alerting: how alerts reach people'.")
    return settings


def unrouted_alerts(settings: Settings) -> bool:
    """Whether a stack others rely on ships Grafana's rules with no contact point (local may: it is a try-out)."""
    return (settings.environment != "local" and not settings.ships_to_grafana_cloud
            and settings.alerts.contact_type == "none")
