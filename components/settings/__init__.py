"""Every stack setting, read once and validated before any resource is declared.

`Pulumi.yaml`'s `config:` schema is the single list of keys, types and defaults. Values come from the
Pulumi engine (`from_pulumi`) or from `Pulumi.<stack>.yaml` (`from_stack_file`, used by the offline
render and the tests). All problems are collected and reported together as one `SettingsError`.
Each area (grafana, tls, docker_host, postgres, alerts, exporters, access, azure, kubernetes, railway, smtp,
containers, retention) keeps its dataclass, the reading of its keys and its checks in its own module;
validate.py holds `Settings` and the order they run in.
"""

from components.settings.alerts import Alerts
from components.settings.azure import Azure
from components.settings.docker_host import DockerHost
from components.settings.errors import SettingsError
from components.settings.exporters import Exporters
from components.settings.grafana import GrafanaAccess
from components.settings.postgres import Postgres
from components.settings.reader import ROOT, load_schema
from components.settings.retention import Retention
from components.settings.secret import Secret
from components.settings.sources import from_pulumi, from_stack_file
from components.settings.tls import Tls
from components.settings.validate import Settings, parse

__all__ = ["ROOT", "Alerts", "Azure", "DockerHost", "Exporters", "GrafanaAccess", "Postgres", "Retention", "Secret",
           "Settings", "SettingsError", "Tls", "from_pulumi", "from_stack_file", "load_schema", "parse"]
