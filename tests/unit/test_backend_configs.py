"""The backend config files under config/ say what the stack requires: Loki and Tempo retention from
the environment, Prometheus rules and jobs, and Alloy's log, trace and metric routing (redaction
first, the platform labels, trace_id as structured metadata, self-contained exporters)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from components import constants as c
from components.services.alloy import DOCKER_HOST_FILES, SHARED_FILES, STACK_WRITE_FILES
from tests.validators.alloy_syntax import Block, Expr, parse

CONFIG = Path(__file__).resolve().parents[2] / "config"
SERVICES = {s: f"{s}:{c.PORTS[s]}" for s in (c.GRAFANA, c.LOKI, c.TEMPO, c.PROMETHEUS, c.ALLOY)}
PLATFORM_LABELS = {"client_account_id", "engagement_id", "flow_id", "agent", "phase", "status"}
LOG_STREAM_LABELS, LOG_STRUCTURED_METADATA = c.LOG_STREAM_LABELS, c.LOG_STRUCTURED_METADATA
EXPORTERS = ("postgres", "redis", "host", "containers")
DOCKER_HOST_ALLOY = SHARED_FILES + STACK_WRITE_FILES + DOCKER_HOST_FILES
DOCKER_API = Expr('sys.env("DOCKER_API_URL")')  # the read-only Docker API proxy (components/services/docker_api.py)


def config_text(relative: str) -> str:
    return (CONFIG / relative).read_text()


def yaml_config(relative: str) -> dict:
    return yaml.safe_load(config_text(relative))


def alloy(relative: str | None = None) -> dict[str, Block]:
    """The blocks of one file, or (by default) of every file the Docker-host Alloy loads together."""
    names = [relative] if relative else [f"alloy/{name}" for name in DOCKER_HOST_ALLOY]
    return {b.id: b for name in names for b in parse(config_text(name)).blocks}


def refs(value: object) -> list[str]:
    """Component ids an attribute value points at (`loki.write.default.receiver` → `loki.write.default`)."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [r for item in value for r in refs(item)]
    if isinstance(value, Expr):
        return [m.rsplit(".", 1)[0] for m in re.findall(r"\b(?:[a-z_]+\.){2,}[a-z_]+\b", value.text)
                if not m.startswith("sys.")]
    return []


def block_refs(block: Block) -> list[str]:
    """Every component id referenced anywhere inside a block, nested blocks included."""
    return [r for value in block.attrs.values() for r in refs(value)] + [r for b in block.blocks for r in block_refs(b)]


# --- Loki ----------------------------------------------------------------------------------------

def test_loki_compactor_applies_retention_from_its_volume():
    compactor = yaml_config("loki/loki.yaml")["compactor"]
    assert compactor["retention_enabled"] is True
    assert compactor["working_directory"].startswith("/loki/")


def test_loki_retention_has_the_delete_request_store_loki_3_requires():
    assert yaml_config("loki/loki.yaml")["compactor"]["delete_request_store"] == "filesystem"


def test_loki_stores_a_tsdb_v13_index_per_day_on_the_filesystem():
    [schema] = yaml_config("loki/loki.yaml")["schema_config"]["configs"]
    assert (schema["store"], schema["schema"], schema["object_store"]) == ("tsdb", "v13", "filesystem")
    assert schema["index"]["period"] == "24h"  # retention works only with daily index tables


def test_loki_retention_period_comes_from_the_environment():
    assert yaml_config("loki/loki.yaml")["limits_config"]["retention_period"] == "${LOKI_RETENTION_PERIOD}"


def test_loki_keeps_its_data_on_the_loki_volume():
    common = yaml_config("loki/loki.yaml")["common"]
    paths = [common["path_prefix"], *common["storage"]["filesystem"].values()]
    assert all(p == "/loki" or p.startswith("/loki/") for p in paths)


@pytest.mark.parametrize(("relative", "section"),
                         [("loki/loki.yaml", "analytics"), ("tempo/tempo.yaml", "usage_report")])
def test_backends_send_no_usage_reports(relative, section):
    assert yaml_config(relative)[section]["reporting_enabled"] is False


# --- Tempo ---------------------------------------------------------------------------------------

def test_tempo_config_has_none_of_the_blocks_tempo_3_refuses():
    removed_in_3 = {"ingester", "compactor", "ingester_client", "metrics_generator_client"}
    assert not removed_in_3 & set(yaml_config("tempo/tempo.yaml"))


def test_tempo_receives_otlp_on_every_interface():
    protocols = yaml_config("tempo/tempo.yaml")["distributor"]["receivers"]["otlp"]["protocols"]
    assert protocols == {"grpc": {"endpoint": "0.0.0.0:4317"}, "http": {"endpoint": "0.0.0.0:4318"}}


def test_tempo_block_retention_comes_from_the_environment():
    tempo = yaml_config("tempo/tempo.yaml")
    assert tempo["overrides"]["defaults"]["compaction"]["block_retention"] == "${TEMPO_RETENTION_PERIOD}"
    assert tempo["backend_worker"]["compaction"]["block_retention"] == "${TEMPO_RETENTION_PERIOD}"


def test_tempo_stores_blocks_locally_on_the_tempo_volume():
    trace = yaml_config("tempo/tempo.yaml")["storage"]["trace"]
    assert trace["backend"] == "local"
    assert trace["local"]["path"].startswith("/var/tempo/") and trace["wal"]["path"].startswith("/var/tempo/")


def test_tempo_span_metrics_reach_prometheus_with_exemplars():
    [target] = yaml_config("tempo/tempo.yaml")["metrics_generator"]["storage"]["remote_write"]
    assert target["send_exemplars"] is True and target["url"].endswith("http://prometheus:9090/api/v1/write}")


# --- Prometheus ----------------------------------------------------------------------------------

def test_prometheus_loads_no_rules_grafana_evaluates_them():
    assert "rule_files" not in yaml_config("prometheus/prometheus.yml")
    assert list((CONFIG / "prometheus" / "rules").glob("*.yml")) == [CONFIG / "prometheus" / "rules" / "stack.yml"]


def test_prometheus_scrapes_the_five_services_each_as_its_own_job():
    scrape_configs = yaml_config("prometheus/prometheus.yml")["scrape_configs"]
    jobs = {j["job_name"]: j["static_configs"][0]["targets"] for j in scrape_configs}
    assert jobs == {name: ["localhost:9090" if name == "prometheus" else address] for name, address in SERVICES.items()}


def test_prometheus_config_holds_no_per_environment_value():
    text = config_text("prometheus/prometheus.yml")
    tsdb = yaml_config("prometheus/prometheus.yml").get("storage", {}).get("tsdb", {})
    assert "${" not in text and "retention" not in tsdb


def test_every_stack_alert_has_a_severity():
    rules = [r for g in yaml_config("prometheus/rules/stack.yml")["groups"] for r in g["rules"] if "alert" in r]
    assert rules and all(r["labels"]["severity"] in ("warning", "critical") for r in rules)


# --- Alloy: logs ---------------------------------------------------------------------------------

def test_alloy_reads_container_logs_through_the_read_only_docker_api():
    blocks = alloy()
    assert blocks["discovery.docker.containers"].attrs["host"] == DOCKER_API
    assert blocks["loki.source.docker.containers"].attrs["host"] == DOCKER_API


def test_container_label_is_the_name_without_its_leading_slash():
    rule = alloy()["discovery.relabel.containers"].find("rule")[0]
    assert rule.attrs == {"source_labels": ["__meta_docker_container_name"], "regex": "/(.*)",
                          "target_label": "container"}


def test_stream_labels_and_structured_metadata_are_the_documented_split():
    process = alloy()["loki.process.logs"]
    *_, labels = process.find("stage.labels")  # the first writes back the source's lower-cased level
    [metadata] = process.find("stage.structured_metadata")
    assert tuple(labels.attrs["values"]) == LOG_STREAM_LABELS
    assert tuple(metadata.attrs["values"]) == LOG_STRUCTURED_METADATA


def test_the_json_stage_reads_every_platform_field_at_the_top_level_and_under_otlp_attributes():
    [stage] = alloy()["loki.process.logs"].find("stage.json")
    expressions = stage.attrs["expressions"]
    assert set(expressions) == set(LOG_STREAM_LABELS) | set(LOG_STRUCTURED_METADATA)
    assert all(name in expressions["level"] for name in ("level", "levelname", "severity"))
    for name in PLATFORM_LABELS:
        assert expressions[name] == f"{name} || attributes.{name}"
    assert "traceid" in expressions["trace_id"]  # otelcol.exporter.loki's spelling


def test_trace_id_is_structured_metadata_and_never_a_label():
    process = alloy()["loki.process.logs"]
    [metadata] = process.find("stage.structured_metadata")
    assert "trace_id" in metadata.attrs["values"]
    assert all("trace_id" not in s.attrs["values"] for s in process.find("stage.labels"))


def test_redaction_runs_before_any_stage_reads_the_line():
    stages = [b.name for b in alloy()["loki.process.logs"].blocks]
    last_redaction = max(i for i, name in enumerate(stages) if name == "stage.replace")
    assert stages.count("stage.replace") >= 5
    assert all(name == "stage.replace" for name in stages[:last_redaction + 1])


def test_every_log_path_to_loki_passes_the_redacting_pipeline():
    blocks = alloy()
    writers = {b.id for b in blocks.values() if b.name == "loki.write"}
    feeding_loki = [b for b in blocks.values() if set(refs(b.attrs.get("forward_to"))) & writers]
    assert [b.id for b in feeding_loki] == ["loki.process.logs"]
    sources = [b for b in blocks.values() if b.name.startswith("loki.source.") or b.name == "otelcol.exporter.loki"]
    assert {b.id for b in sources} == {"loki.source.docker.containers", "otelcol.exporter.loki.default"}
    assert all(refs(b.attrs["forward_to"]) == ["loki.process.logs"] for b in sources)


# --- Alloy: OTLP and metrics ---------------------------------------------------------------------

def otlp_destinations(signal: str) -> set[str]:
    """The components that receive `signal` at the end of the otelcol chain from the OTLP receiver."""
    blocks, found = alloy(), set()
    pending = refs(blocks["otelcol.receiver.otlp.default"].find("output")[0].attrs[signal])
    while pending:
        block = blocks[pending.pop()]
        outputs = block.find("output")
        if outputs:
            pending += refs(outputs[0].attrs[signal])
        else:
            found.add(block.id)
    return found


def test_otlp_traces_go_to_tempo():
    assert otlp_destinations("traces") == {"otelcol.exporter.otlp.tempo"}
    endpoint = alloy()["otelcol.exporter.otlp.tempo"].find("client")[0].attrs["endpoint"]
    assert 'sys.env("TEMPO_OTLP_ENDPOINT")' in endpoint.text


def test_otlp_metrics_go_to_prometheus_remote_write():
    assert otlp_destinations("metrics") == {"otelcol.exporter.prometheus.default"}
    forward_to = alloy()["otelcol.exporter.prometheus.default"].attrs["forward_to"]
    assert refs(forward_to) == ["prometheus.remote_write.default"]


@pytest.mark.parametrize(("component", "variable"),
                         [("loki.write.default", "LOKI_PUSH_URL"),
                          ("prometheus.remote_write.default", "PROMETHEUS_REMOTE_WRITE_URL")])
def test_alloy_endpoints_and_environment_label_come_from_the_environment(component, variable):
    block = alloy()[component]
    assert f'sys.env("{variable}")' in block.find("endpoint")[0].attrs["url"].text
    assert 'sys.env("STACK_ENVIRONMENT")' in block.attrs["external_labels"]["environment"].text


def test_alloy_scrapes_the_five_services_marked_as_its_own_copy():
    blocks = alloy()
    targets = [*blocks["prometheus.scrape.stack"].attrs["targets"], *blocks["prometheus.scrape.self"].attrs["targets"]]
    assert sorted(t["job"] for t in targets) == sorted(SERVICES)
    assert all(t["scraped_by"] == "alloy" for t in targets)


def test_clustered_alloy_shares_the_other_services_but_each_replica_scrapes_itself_under_its_own_name():
    blocks = alloy()
    assert blocks["prometheus.scrape.stack"].find("clustering")[0].attrs["enabled"] is True
    assert not blocks["prometheus.scrape.self"].find("clustering")
    [rule] = blocks["prometheus.relabel.self"].find("rule")
    assert rule.attrs["target_label"] == "instance" and rule.attrs["replacement"].text == "constants.hostname"


def test_only_the_watched_volumes_leave_alloy_as_disk_usage():
    blocks = alloy()
    assert blocks["prometheus.exporter.unix.volumes"].attrs["set_collectors"] == ["filesystem"]
    keep = blocks["prometheus.relabel.volumes"].find("rule")[0].attrs
    assert keep == {"source_labels": ["mountpoint"], "regex": "/volumes/.+", "action": "keep"}


# --- Alloy: optional exporters -------------------------------------------------------------------

@pytest.mark.parametrize("exporter", EXPORTERS)
def test_an_exporter_file_uses_only_its_own_components_and_the_shared_ones(exporter):
    own = alloy(f"alloy/exporters/{exporter}.alloy")
    referenced = {r for block in own.values() for r in block_refs(block)}
    assert referenced and referenced <= set(own) | set(alloy())


def test_component_names_stay_unique_with_every_exporter_enabled():
    ids = [b.id for name in [*DOCKER_HOST_ALLOY, *(f"exporters/{e}.alloy" for e in EXPORTERS)]
           for b in parse(config_text(f"alloy/{name}")).blocks]
    assert len(ids) == len(set(ids))


def test_postgres_dsn_is_a_secret_read_from_its_file():
    blocks = alloy("alloy/exporters/postgres.alloy")
    dsn = blocks["local.file.postgres_exporter_dsn"].attrs
    assert dsn == {"filename": "/run/secrets/postgres_exporter_dsn", "is_secret": True}
    dsn_names = blocks["prometheus.exporter.postgres.platform"].attrs["data_source_names"]
    assert refs(dsn_names) == ["local.file.postgres_exporter_dsn"]


def test_redis_address_and_optional_password_file_come_from_the_environment():
    redis = alloy("alloy/exporters/redis.alloy")["prometheus.exporter.redis.platform"].attrs
    assert 'sys.env("REDIS_ADDRESS")' in redis["redis_addr"].text
    assert redis["redis_password_file"].text == 'sys.env("REDIS_PASSWORD_FILE")'


def test_host_exporter_reads_the_hosts_mounted_proc_sys_and_root():
    host = alloy("alloy/exporters/host.alloy")["prometheus.exporter.unix.host"].attrs
    assert host == {"procfs_path": "/host/proc", "sysfs_path": "/host/sys", "rootfs_path": "/host/root"}


def test_container_exporter_reports_docker_containers_only():
    cadvisor = alloy("alloy/exporters/containers.alloy")["prometheus.exporter.cadvisor.containers"].attrs
    assert cadvisor["docker_only"] is True and cadvisor["docker_host"] == DOCKER_API


def test_loki_runs_no_pattern_ingester_for_a_drilldown_app_grafana_cannot_install():
    config = yaml_config("loki/loki.yaml")
    assert config.get("pattern_ingester", {}).get("enabled", False) is False


def test_loki_stream_limits_are_written_down():
    limits = yaml_config("loki/loki.yaml")["limits_config"]
    assert limits["max_global_streams_per_user"] == 5000
    assert limits["allow_structured_metadata"] is True
