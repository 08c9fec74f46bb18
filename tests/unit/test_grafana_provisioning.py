"""Grafana's datasource and dashboard-provider provisioning files agree with the project's contracts."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from components import constants as c
from components.services import grafana
from components.settings import from_stack_file

PROVISIONING = Path(__file__).resolve().parents[2] / "config" / c.GRAFANA / "provisioning"


def _text(relative: str) -> str:
    """The provisioning file as Grafana receives it (switch to the rendered output here)."""
    return (PROVISIONING / relative).read_text()


def _datasources(relative: str) -> dict[str, dict[str, Any]]:
    return {ds["uid"]: ds for ds in yaml.safe_load(_text(relative))["datasources"]}


def _all_datasources() -> dict[str, dict[str, Any]]:
    return _datasources("datasources/datasources.yaml") | _datasources("datasources/postgres.yaml")


def _linked_uids(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "datasourceUid":
                yield value
            yield from _linked_uids(value)
    elif isinstance(node, list):
        for item in node:
            yield from _linked_uids(item)


def _strings(node: Any) -> Iterator[str]:
    """Every string value of a parsed file: what Grafana expands, unlike the comments."""
    if isinstance(node, dict):
        node = list(node.values())
    if isinstance(node, list):
        for item in node:
            yield from _strings(item)
    elif isinstance(node, str):
        yield node


def test_datasource_uids_are_the_constants():
    assert sorted(_all_datasources()) == sorted(c.DATASOURCE_UIDS)


def test_core_datasources_point_at_the_service_aliases():
    core = _datasources("datasources/datasources.yaml")
    for uid in (c.LOKI, c.TEMPO, c.PROMETHEUS):
        assert core[uid]["url"] == f"http://{uid}:{c.PORTS[uid]}"


def test_every_cross_link_resolves_to_a_provisioned_uid():
    provisioned = set(_all_datasources())
    links = [uid for ds in _all_datasources().values() for uid in _linked_uids(ds.get("jsonData", {}))]
    assert len(links) >= 6  # exemplars, two derived fields, traces-to-logs, service map, loki search
    assert set(links) <= provisioned


def test_prometheus_is_the_only_default_datasource():
    defaults = [uid for uid, ds in _all_datasources().items() if ds.get("isDefault")]
    assert defaults == [c.PROMETHEUS]


def test_removed_datasources_are_pruned():
    assert yaml.safe_load(_text("datasources/datasources.yaml"))["prune"] is True


def test_tempo_streaming_is_off_because_grafana_live_is_disabled():
    assert grafana.environment(from_stack_file("local"))["GF_LIVE_MAX_CONNECTIONS"] == "0"
    streaming = _datasources("datasources/datasources.yaml")[c.TEMPO]["jsonData"]["streamingEnabled"]
    assert streaming == {"search": False, "metrics": False}


def test_loki_links_structured_metadata_trace_id_to_tempo():
    fields = _datasources("datasources/datasources.yaml")[c.LOKI]["jsonData"]["derivedFields"]
    (by_label,) = [f for f in fields if f["matcherType"] == "label"]
    assert (by_label["matcherRegex"], by_label["datasourceUid"]) == ("trace_id", c.TEMPO)


def test_core_file_has_no_unescaped_dollar():
    """Grafana expands $VAR in provisioning values: every literal `$` (Grafana macros) must be `$$`."""
    values = list(_strings(yaml.safe_load(_text("datasources/datasources.yaml"))))
    assert "$${__value.raw}" in values
    assert [v for v in values if "$" in v.replace("$$", "")] == []


def test_postgres_datasource_uses_the_plugin_id_and_read_only_role():
    pg = _datasources("datasources/postgres.yaml")[c.POSTGRES_DATASOURCE_UID]
    assert pg["type"] == "grafana-postgresql-datasource"
    assert pg["user"] == c.POSTGRES_READONLY_USER
    assert pg["editable"] is False
    assert "database" not in pg and "password" not in pg  # Grafana 12+ ignores the top-level fields


def test_postgres_password_comes_from_the_secret_file():
    pg = _datasources("datasources/postgres.yaml")[c.POSTGRES_DATASOURCE_UID]
    assert pg["secureJsonData"] == {"password": f"$__file{{{c.POSTGRES_READONLY_PASSWORD_FILE}}}"}


def test_postgres_env_vars_are_the_ones_grafana_gets():
    local = from_stack_file("local")
    enabled = dataclasses.replace(local, postgres=dataclasses.replace(local.postgres, enabled=True))
    values = _strings(yaml.safe_load(_text("datasources/postgres.yaml")))
    referenced = {name for value in values for name in re.findall(r"\$\{(\w+)\}", value)}
    assert referenced == {"POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_DB", "POSTGRES_SSLMODE"}
    assert referenced <= set(grafana.environment(enabled))


def test_postgres_pool_is_small():
    assert _datasources("datasources/postgres.yaml")[c.POSTGRES_DATASOURCE_UID]["jsonData"]["maxOpenConns"] <= 5


def test_dashboard_provider_is_the_read_only_platform_folder():
    (provider,) = yaml.safe_load(_text("dashboards/platform.yaml"))["providers"]
    assert (provider["folder"], provider["folderUid"]) == (c.DASHBOARD_FOLDER, c.DASHBOARD_FOLDER_UID)
    assert provider["options"]["path"] == f"{c.GRAFANA_DASHBOARDS_DIR}/platform"
    assert provider["allowUiUpdates"] is False
    assert provider["updateIntervalSeconds"] == 30


def test_a_dashboard_whose_file_is_removed_is_deleted_not_kept_unprovisioned():
    (provider,) = yaml.safe_load(_text("dashboards/platform.yaml"))["providers"]
    assert provider["disableDeletion"] is False


def test_every_provisioning_file_is_version_1():
    files = sorted(PROVISIONING.rglob("*.yaml"))
    assert len(files) == 3
    assert all(yaml.safe_load(f.read_text())["apiVersion"] == 1 for f in files)
