"""The platform dashboards as Grafana's file provisioning receives them: which files, their fixed uids,
classic JSON rendered byte for byte the same, datasources that resolve, tenant variables, the time
range in every SQL panel, and the settings they follow."""

from __future__ import annotations

import dataclasses
import json
import re
from itertools import combinations

import pytest
import yaml

from components import constants as c
from components.dashboards import dashboard_files
from components.settings import ROOT, Settings, from_stack_file

EXPECTED_UIDS = {
    "platform/app-logs.json": "platform-app-logs",
    "platform/stack-health.json": "platform-stack-health",
    "platform/llm-usage-costs.json": "platform-llm-costs",
    "platform/mfo-flow-lifecycle.json": "platform-mfo-flows",
    "platform/agent-health.json": "platform-agent-health",
    "platform/tenant-memory.json": "platform-tenant-memory",
}
WITHOUT_POSTGRES = {"platform/app-logs.json", "platform/stack-health.json"}
TENANT_VARIABLES = ("client_account_id", "engagement_id")
# SQL panels that deliberately ignore the time range: stored state and cumulative server statistics.
NO_TIME_FILTER = {
    ("platform-tenant-memory", "Patterns stored"),
    ("platform-tenant-memory", "Patterns by tenant, type and scope"),
    ("platform-tenant-memory", "Patterns by type"),
    ("platform-tenant-memory", "Vector searches on patterns"),  # pg_stat_statements
    ("platform-tenant-memory", "Statements on agent_discovered_patterns (pg_stat_statements)"),
}


def _settings(postgres: bool = True, **alerts) -> Settings:
    settings = from_stack_file("local")
    return dataclasses.replace(settings, postgres=dataclasses.replace(settings.postgres, enabled=postgres),
                               alerts=dataclasses.replace(settings.alerts, **alerts))


def _dashboards(settings: Settings | None = None) -> dict[str, dict]:
    return {path: json.loads(text) for path, text in dashboard_files(settings or _settings()).items()}


def _provisioning(kind: str, key: str) -> list[dict]:
    """The `key` entries of Grafana's provisioning files of one kind (datasources, dashboards)."""
    folder = ROOT / "config" / c.GRAFANA / "provisioning" / kind
    return [item for f in sorted(folder.glob("*.yaml")) for item in (yaml.safe_load(f.read_text()) or {}).get(key, [])]


def _provisioned_datasources() -> dict[str, str]:
    """uid -> type."""
    return {d["uid"]: d["type"] for d in _provisioning("datasources", "datasources")}


def _panels(dashboard: dict) -> list[dict]:
    return [p for top in dashboard["panels"] for p in (top, *top.get("panels", []))]


def _sql_targets(dashboard: dict) -> list[tuple[str, str]]:
    return [(panel["title"], t["rawSql"]) for panel in _panels(dashboard)
            for t in panel.get("targets", []) if "rawSql" in t]


def _variable(dashboard: dict, name: str) -> dict:
    return next(v for v in dashboard["templating"]["list"] if v["name"] == name)


def _datasource_refs(node, where: str = ""):
    """Every `datasource` object anywhere in the dashboard, with where it was found."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "datasource":
                yield where, value
            else:
                yield from _datasource_refs(value, f"{where}/{node.get('title', node.get('name', key))}")
    elif isinstance(node, list):
        for item in node:
            yield from _datasource_refs(item, where)


def test_postgres_enabled_renders_all_six_dashboards():
    assert set(dashboard_files(_settings(postgres=True))) == set(EXPECTED_UIDS)


def test_postgres_disabled_renders_only_the_loki_and_prometheus_dashboards():
    assert set(dashboard_files(_settings(postgres=False))) == WITHOUT_POSTGRES


def test_dashboards_without_postgres_never_reference_it():
    refs = [(path, where) for path, d in _dashboards(_settings(postgres=False)).items()
            for where, ref in _datasource_refs(d) if ref.get("uid") == c.POSTGRES_DATASOURCE_UID]
    assert refs == []


def test_every_dashboard_sits_in_the_directory_the_platform_folder_provider_reads():
    (provider,) = [p for p in _provisioning("dashboards", "providers") if p["folderUid"] == c.DASHBOARD_FOLDER_UID]
    for path in dashboard_files(_settings()):
        directory, _, name = path.rpartition("/")
        assert f"{c.GRAFANA_DASHBOARDS_DIR}/{directory}" == provider["options"]["path"], path
        assert re.fullmatch(r"[a-z0-9-]+\.json", name), path


def test_dashboard_uids_are_the_fixed_ones():
    assert {path: d["uid"] for path, d in _dashboards().items()} == EXPECTED_UIDS
    assert len(set(EXPECTED_UIDS.values())) == len(EXPECTED_UIDS)


def test_rendering_twice_gives_identical_bytes():
    assert dashboard_files(_settings()) == dashboard_files(_settings())


def test_files_are_canonical_sorted_json_with_a_final_newline():
    for path, text in dashboard_files(_settings()).items():
        assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n", path


def test_dashboards_use_the_classic_model_not_v2():
    for path, d in _dashboards().items():
        assert d["schemaVersion"] >= 39, path
        assert isinstance(d["panels"], list) and d["panels"], path
        assert isinstance(d["templating"]["list"], list) and isinstance(d["annotations"]["list"], list), path
        assert not {"elements", "layout", "spec", "kind"} & set(d), path


def test_every_datasource_reference_matches_a_provisioned_uid_and_type():
    provisioned = _provisioned_datasources()
    assert set(provisioned) == set(c.DATASOURCE_UIDS)
    for path, d in _dashboards().items():
        refs = list(_datasource_refs(d))
        assert refs, path
        for where, ref in refs:
            assert provisioned.get(ref.get("uid")) == ref.get("type"), f"{path}{where}: {ref}"


def test_panel_ids_are_unique_within_each_dashboard():
    for path, d in _dashboards().items():
        ids = [p["id"] for p in _panels(d)]
        assert len(ids) == len(set(ids)), path


def test_panels_fit_the_grid_without_overlapping():
    dashboards = _dashboards()
    assert dashboards
    for path, d in dashboards.items():
        boxes = [p["gridPos"] for p in _panels(d)]
        assert boxes and all(b["x"] + b["w"] <= 24 for b in boxes), path
        for a, b in combinations(boxes, 2):
            overlap = a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and \
                a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]
            assert not overlap, f"{path}: {a} overlaps {b}"


def test_every_query_has_a_unique_ref_id_within_its_panel():
    for path, d in _dashboards().items():
        for panel in _panels(d):
            ref_ids = [t.get("refId") for t in panel.get("targets", [])]
            assert all(ref_ids) and len(ref_ids) == len(set(ref_ids)), f"{path}: {panel['title']}"


@pytest.mark.parametrize("path", sorted(set(EXPECTED_UIDS) - {"platform/stack-health.json"}))
def test_tenant_variables_are_multi_value_and_start_on_all(path):
    d = _dashboards()[path]
    # App Logs reads engagement_id from Loki's structured metadata, which has no values API: a text box.
    for name in TENANT_VARIABLES if path not in WITHOUT_POSTGRES else ("client_account_id",):
        variable = _variable(d, name)
        assert variable["includeAll"] and variable["multi"], f"{path}: {name}"
        assert variable["current"]["value"] == "$__all", f"{path}: {name}"


@pytest.mark.parametrize("path", sorted(set(EXPECTED_UIDS) - WITHOUT_POSTGRES))
def test_database_dashboards_take_tenants_from_the_database(path):
    d = _dashboards()[path]
    for name in TENANT_VARIABLES:
        variable = _variable(d, name)
        assert variable["datasource"]["uid"] == c.POSTGRES_DATASOURCE_UID, f"{path}: {name}"
        assert variable["query"].lstrip().upper().startswith("SELECT"), f"{path}: {name}"


def test_every_sql_panel_respects_the_time_range_except_the_listed_ones():
    without = set()
    for d in _dashboards().values():
        for title, sql in _sql_targets(d):
            if "$__timeFilter(" not in sql:
                without.add((d["uid"], title))
    assert without == NO_TIME_FILTER


def test_every_sql_panel_on_platform_tables_filters_by_both_tenant_variables():
    checked = 0
    for d in _dashboards().values():
        for title, sql in _sql_targets(d):
            if "pg_stat_statements" not in sql:
                checked += 1
                assert "$client_account_id" in sql and "$engagement_id" in sql, f"{d['uid']}: {title}"
    assert checked > 20


def test_llm_costs_links_to_the_frontend_finops_page():
    settings = _settings()
    d = _dashboards(settings)["platform/llm-usage-costs.json"]
    urls = [link["url"] for link in d["links"]]
    assert f"https://{settings.grafana.domain}/finops/llm-costs" in urls


def test_app_logs_selects_the_four_platform_services_by_regex():
    d = _dashboards()["platform/app-logs.json"]
    assert _variable(d, "service")["query"].split(",") == ["backend", "frontend", "postgres", "redis"]
    exprs = [t["expr"] for p in _panels(d) for t in p.get("targets", []) if "expr" in t]
    assert exprs and all('service_name=~".*(${service:regex}).*"' in e for e in exprs)
    assert all('flow_id=~".*${flow_id}.*"' in e and 'level=~"$level"' in e for e in exprs)
    assert any('|~ "ERROR|CRITICAL|Exception"' in e for e in exprs)


def test_runtime_panels_query_the_contracted_metric_names():
    exprs = " ".join(t.get("expr", "") for d in _dashboards().values() for p in _panels(d)
                     for t in p.get("targets", []))
    for metric in ("agent_runs_total", "agent_duration_ms_bucket", "tenant_memory_search_total",
                   "tenant_memory_search_duration_ms_bucket", "tenant_memory_patterns_retrieved_total",
                   "node_filesystem_avail_bytes", "loki_distributor_lines_received_total"):
        assert metric in exprs, metric


def test_disk_panel_turns_red_at_the_alert_percentage():
    d = _dashboards(_settings(disk_usage_percent=70))["platform/stack-health.json"]
    gauge = next(p for p in d["panels"] if p["title"] == "Disk used per volume")
    steps = gauge["fieldConfig"]["defaults"]["thresholds"]["steps"]
    assert steps[-1] == {"color": "red", "value": 70}


def test_flow_error_rate_panel_turns_red_at_the_alert_percentage():
    d = _dashboards(_settings(flow_error_rate_percent=15))["platform/mfo-flow-lifecycle.json"]
    gauge = next(p for p in d["panels"] if p["title"] == "Error rate by flow type")
    assert gauge["fieldConfig"]["defaults"]["thresholds"]["steps"][-1] == {"color": "red", "value": 15}


def test_app_logs_filters_engagements_by_a_text_box_because_loki_cannot_list_metadata_values():
    variable = _variable(_dashboards()["platform/app-logs.json"], "engagement_id")
    assert variable["type"] == "textbox" and variable.get("query", "") == ""
