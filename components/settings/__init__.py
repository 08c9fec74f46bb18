"""Every stack setting, read once and validated before any resource is declared.

`Pulumi.yaml`'s `config:` schema is the single list of keys, types and defaults. Values come from the
Pulumi engine (`from_pulumi`) or from `Pulumi.<stack>.yaml` (`from_stack_file`, used by the offline
render and the tests). All problems are collected and reported together as one `SettingsError`.
"""

from components.settings.reader import ROOT, load_schema
from components.settings.sources import from_pulumi, from_stack_file
from components.settings.types import (Alerts, Azure, DockerHost, Exporters, GrafanaAccess, Postgres, Retention,
                                       Secret, Settings, SettingsError, Tls)
from components.settings.validate import parse

__all__ = ["ROOT", "Alerts", "Azure", "DockerHost", "Exporters", "GrafanaAccess", "Postgres", "Retention", "Secret",
           "Settings", "SettingsError", "Tls", "from_pulumi", "from_stack_file", "load_schema", "parse"]
