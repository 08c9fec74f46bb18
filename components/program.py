"""Program plumbing `__main__.py` calls: settings loading with a clean error, the Docker host provider."""

from __future__ import annotations

import pulumi
import pulumi_docker as docker

from components import settings as settings_module
from components.settings import Settings, SettingsError


def load_settings() -> Settings:
    """Settings, or one clear message (RunError prints no traceback) before any resource exists."""
    try:
        settings = settings_module.from_pulumi()
    except SettingsError as error:
        raise pulumi.RunError(str(error)) from None
    return settings


def docker_provider(settings: Settings, registry_auth: list | None = None) -> docker.Provider:
    return docker.Provider("docker-host", host=settings.docker.host,
                           ssh_opts=list(settings.docker.ssh_opts) or None, registry_auth=registry_auth)
