"""Alloy's log pipeline replayed outside Alloy: what a line looks like when it reaches Loki.

The stages of config/alloy/logs-process.alloy are applied in file order by the rules the loki.process
reference documents (https://grafana.com/docs/alloy/latest/reference/components/loki/loki.process/). The
extracted map starts with the entry's labels, so stages read source labels too. With ALLOY_BIN set,
test_alloy_run.py checks this replay against the real Alloy on the redaction corpus.
  stage.replace              every capture group of every match replaced by `replace`, RE2 syntax
  stage.logfmt               `mapping` keys taken from a logfmt line
  stage.json                 JMESPath `expressions` over the line parsed as JSON; a line that is not JSON
                             leaves the extracted map as it was; an absent or null result is stored as null,
                             replacing what was there
  stage.template             the `{{ ToLower .Value }}` / `{{ ToUpper .Value }}` forms only (Go templates with
                             the documented functions); a source that is absent or null leaves the map
                             unchanged, an empty result deletes the source
  stage.labels               extracted values become stream labels; a null is skipped
  stage.structured_metadata  extracted values become structured metadata; a null is skipped
Loki drops empty label values. Any other stage type fails: the
model must learn it before the pipeline may use it. The sources' own labels come from the files that define
them: the Docker source's relabel rules (docker-logs.alloy), otelcol.exporter.loki's fixed labels (below),
and the write file's external_labels (write-stack.alloy).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jmespath
import re2

from tests.validators.alloy_syntax import Block, Expr, parse

ALLOY = Path(__file__).resolve().parents[2] / "config" / "alloy"
ENVIRONMENT = "local"  # what STACK_ENVIRONMENT gives the write file's external label in the local stack

# otelcol.exporter.loki, as its reference documents it
# (https://grafana.com/docs/alloy/latest/reference/components/otelcol/otelcol.exporter.loki/): every entry
# is labelled exporter="OTLP", job from service.namespace/
# service.name, instance from service.instance.id, and level from the severity number (the level hint);
# the line is the record as JSON: body, traceid, spanid, severity, attributes, resources.
_SEVERITY_LEVEL = {1: "TRACE", 5: "DEBUG", 9: "INFO", 13: "WARN", 17: "ERROR", 21: "FATAL"}


@dataclass
class Entry:
    line: str
    labels: dict[str, str]
    metadata: dict[str, str] = field(default_factory=dict)


def alloy_replace(pattern: Any, replacement: str, line: str) -> str:
    """stage.replace as documented: each capture group of each match becomes
    `replacement`, and a group starting before the previous one ended is skipped."""
    assert "{{" not in replacement, "templated replacements are not modelled here"
    result, previous_end = [], 0
    for match in pattern.finditer(line):
        for group in range(1, pattern.groups + 1):
            start, end = match.span(group)
            if start == -1:
                continue
            if previous_end == 0 or previous_end <= start:
                result.append(line[previous_end:start] + replacement)
                previous_end = end
    return "".join(result) + line[previous_end:]


def _blocks(filename: str) -> list[Block]:
    return parse((ALLOY / filename).read_text()).blocks


def stages() -> list[Block]:
    (process,) = [b for b in _blocks("logs-process.alloy") if b.name == "loki.process"]
    return process.blocks


def _logfmt(line: str) -> dict[str, str]:
    pairs = re.findall(r'([\w.-]+)=("(?:[^"\\]|\\.)*"|\S*)', line)
    return {key: json.loads(value) if value.startswith('"') else value for key, value in pairs}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _template(template: str, value: str) -> str:
    match = re.fullmatch(r"\{\{ (ToLower|ToUpper) \.Value \}\}", template)
    assert match, f"template {template!r} is not modelled"
    return value.lower() if match[1] == "ToLower" else value.upper()


def run(entry: Entry) -> Entry:
    """The entry as Loki receives it: processed by every stage, then the write file's external labels."""
    line, labels, metadata = entry.line, dict(entry.labels), dict(entry.metadata)
    extracted: dict[str, str | None] = dict(labels)
    for stage in stages():
        attrs = stage.attrs
        if stage.name == "stage.replace":
            assert "source" not in attrs
            line = alloy_replace(re2.compile(attrs["expression"]), str(attrs.get("replace", "")), line)
        elif stage.name == "stage.logfmt":
            fields = _logfmt(line)
            for name, key in attrs["mapping"].items():
                if (key or name) in fields:  # an empty value too, as logfmt reads `key=`
                    extracted[name] = fields[key or name]
        elif stage.name == "stage.json":
            try:
                document = json.loads(line)
            except ValueError:
                continue
            for name, expression in attrs["expressions"].items():
                value = jmespath.search(expression or name, document)
                extracted[name] = None if value is None else _text(value)
        elif stage.name == "stage.template":
            value = extracted.get(attrs["source"])
            if isinstance(value, str):
                result = _template(attrs["template"], value)
                if result:
                    extracted[attrs["source"]] = result
                else:
                    del extracted[attrs["source"]]
        elif stage.name in ("stage.labels", "stage.structured_metadata"):
            target = labels if stage.name == "stage.labels" else metadata
            for name, source in attrs["values"].items():
                value = extracted.get(source or name)
                if value is not None:
                    target[name] = value
        else:
            raise AssertionError(f"{stage.name} is not modelled in tests/validators/alloy_pipeline.py")
    labels = {name: value for name, value in {**labels, **_external_labels()}.items() if value}
    return Entry(line, labels, {name: value for name, value in metadata.items() if value})


def _external_labels() -> dict[str, str]:
    (write,) = [b for b in _blocks("write-stack.alloy") if b.name == "loki.write"]
    return {name: ENVIRONMENT if isinstance(value, Expr) else str(value)
            for name, value in write.attrs["external_labels"].items()}


def _relabel(filename: str, meta: dict[str, str]) -> dict[str, str] | None:
    """The labels a source's discovery.relabel rules make of discovery labels (Prometheus relabel semantics:
    anchored regex, `$1` by default); None when a `drop` rule matches."""
    (relabel,) = [b for b in _blocks(filename) if b.name == "discovery.relabel"]
    labels: dict[str, str] = {}
    for rule in relabel.find("rule"):
        action = rule.attrs.get("action", "replace")
        assert action in ("replace", "drop"), f"only replace and drop rules are modelled, not {action}"
        value = ";".join(meta.get(name, "") for name in rule.attrs["source_labels"])
        match = re.fullmatch(str(rule.attrs.get("regex", "(.*)")), value)
        if action == "drop":
            if match:
                return None
            continue
        if match:
            result = match.expand(str(rule.attrs.get("replacement", "$1")).replace("$1", r"\1"))
            if result:
                labels[str(rule.attrs["target_label"])] = result
            else:
                labels.pop(str(rule.attrs["target_label"]), None)
    return labels


def docker_entry(line: str, container: str, compose_service: str = "") -> Entry:
    """A container's line as loki.source.docker forwards it, through the relabel rules of docker-logs.alloy."""
    meta = {"__meta_docker_container_name": f"/{container}"}
    if compose_service:
        meta["__meta_docker_container_label_com_docker_compose_service"] = compose_service
    labels = _relabel("docker-logs.alloy", meta)
    assert labels is not None
    return Entry(line, labels)


def kubernetes_entry(line: str, namespace: str, pod: str, container: str, app: str = "",
                     phase: str = "Running") -> Entry | None:
    """A pod's line as loki.source.kubernetes forwards it, through the relabel rules of kubernetes-logs.alloy
    (None: the pod is dropped)."""
    meta = {"__meta_kubernetes_namespace": namespace, "__meta_kubernetes_pod_name": pod,
            "__meta_kubernetes_pod_container_name": container, "__meta_kubernetes_pod_phase": phase}
    if app:
        meta["__meta_kubernetes_pod_label_app_kubernetes_io_name"] = app
    labels = _relabel("kubernetes-logs.alloy", meta)
    return None if labels is None else Entry(line, labels)


def otlp_entry(body: Any, *, severity_text: str = "", severity_number: int = 0, trace_id: str = "",
               span_id: str = "", attributes: dict[str, Any] | None = None,
               resources: dict[str, Any] | None = None) -> Entry:
    """An OTLP log record as otelcol.exporter.loki hands it to loki.process."""
    resources = resources or {}
    record: dict[str, Any] = {"body": body}
    if trace_id:
        record["traceid"] = trace_id
    if span_id:
        record["spanid"] = span_id
    if severity_text:
        record["severity"] = severity_text
    if attributes:
        record["attributes"] = attributes
    if resources:
        record["resources"] = resources
    labels = {"exporter": "OTLP"}
    name, namespace = resources.get("service.name", ""), resources.get("service.namespace", "")
    if name:
        labels["job"] = f"{namespace}/{name}" if namespace else name
    if resources.get("service.instance.id"):
        labels["instance"] = resources["service.instance.id"]
    if severity_number:
        labels["level"] = _SEVERITY_LEVEL[severity_number]
    return Entry(json.dumps(record, separators=(",", ":")), labels)
