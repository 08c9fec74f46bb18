"""Samples shaped exactly like the local stack's demo generators' output, for the real Loki and Tempo.

- Log lines: the demo log emitter's own script (config/demo/platform-logs.sh) run to completion with the
  environment its container gets, then Alloy's pipeline replayed over each line (alloy_pipeline.py).
- Spans: what `telemetrygen traces` sends for each demo trace stream (its worker: a client span
  "lets-go" with N server children "okey-dokey-<j>", the stream's attributes on every span, the
  status code on all of them), as OTLP/JSON.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import time

from components.services import demo_telemetry
from components.settings import Settings
from tests.validators.alloy_pipeline import Entry, docker_entry, otlp_entry, run

FAKE_IP = "1.2.3.4"  # telemetrygen's peer address
# telemetrygen's --status-code (a name, or Go's codes: Unset 0, Error 1, Ok 2) -> the OTLP status code
STATUS_CODES = {"Unset": 0, "Ok": 1, "Error": 2, "0": 0, "1": 2, "2": 1}


def demo_log_entries(settings: Settings, lines: int = 40) -> list[Entry]:
    """The emitter's lines as Loki receives them, from the spec's own environment."""
    emitter = next(s for s in demo_telemetry.specs(settings) if s.service == demo_telemetry.LOG_EMITTER)
    script = next(f.content for f in emitter.files if f.path == demo_telemetry.LOG_SCRIPT)
    assert isinstance(script, str)
    shell = [shutil.which("sh") or "/bin/sh"]  # POSIX sh, as the container's busybox sh runs it
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **{k: str(v) for k, v in emitter.env.items()},
           "DEMO_LINES": str(lines), "DEMO_INTERVAL": "0"}
    result = subprocess.run([*shell, "-c", script], env=env, capture_output=True, text=True, timeout=60, check=True)
    return [run(docker_entry(line, emitter.name)) for line in result.stdout.splitlines()]


SEVERITY_NUMBERS = {"Trace": 1, "Debug": 5, "Info": 9, "Warn": 13, "Error": 17, "Fatal": 21}


def demo_otlp_log_entries(settings: Settings, count: int = 5) -> list[Entry]:
    """What `telemetrygen logs` of each demo logs stream becomes in Loki: its body, severity and attributes
    through otelcol.exporter.loki and the same pipeline (so its fake secret must be redacted too)."""
    entries = []
    for stream in (s for s in demo_telemetry.STREAMS if s.signal == "logs"):
        severity = _flag(stream.flags, "--severity-text", "Info")
        resources = {"service.name": _flag(stream.flags, "--service", "telemetrygen"),
                     "deployment.environment": settings.environment}
        entries += [run(otlp_entry(_flag(stream.flags, "--body", "the message"), severity_text=severity,
                                   severity_number=SEVERITY_NUMBERS[severity], attributes=dict(stream.attributes),
                                   resources=resources)) for _ in range(count)]
    return entries


def _flag(flags: tuple[str, ...], name: str, default: str) -> str:
    return flags[flags.index(name) + 1] if name in flags else default


def _duration_ns(text: str) -> int:
    units = {"ms": 1_000_000, "us": 1_000, "s": 1_000_000_000}
    for unit, factor in units.items():
        if text.endswith(unit) and text[: -len(unit)].isdigit():
            return int(text[: -len(unit)]) * factor
    raise ValueError(f"unsupported span duration {text}")


def _attribute(key: str, value: str) -> dict:
    return {"key": key, "value": {"stringValue": value}}


def trace_streams() -> list[demo_telemetry.Stream]:
    return [s for s in demo_telemetry.STREAMS if s.signal == "traces"]


def otlp_traces(stream: demo_telemetry.Stream, environment: str, count: int = 3) -> dict:
    """`count` traces of one demo stream, as the OTLP/HTTP JSON body telemetrygen's exporter would send."""
    service = _flag(stream.flags, "--service", "telemetrygen")
    children = int(_flag(stream.flags, "--child-spans", "1"))
    status = STATUS_CODES[_flag(stream.flags, "--status-code", "0")]
    step = _duration_ns(_flag(stream.flags, "--span-duration", "123us"))
    attributes = [_attribute(k, v) for k, v in stream.attributes]
    spans = []
    # Ending now, as live spans do: the metrics generator drops spans older than its ingestion slack (30 s).
    start = time.time_ns() - count * (step * children + 1_000_000_000)
    for _ in range(count):
        trace_id, parent_id = secrets.token_hex(16), secrets.token_hex(8)
        spans.append({"traceId": trace_id, "spanId": parent_id, "name": "lets-go", "kind": 3,
                      "startTimeUnixNano": str(start), "endTimeUnixNano": str(start + step * children),
                      "attributes": [_attribute("net.sock.peer.addr", FAKE_IP),
                                     _attribute("peer.service", "telemetrygen-server"), *attributes],
                      "status": {"code": status}})
        for j in range(children):
            spans.append({"traceId": trace_id, "spanId": secrets.token_hex(8), "parentSpanId": parent_id,
                          "name": f"okey-dokey-{j}", "kind": 2, "startTimeUnixNano": str(start + step * j),
                          "endTimeUnixNano": str(start + step * (j + 1)),
                          "attributes": [_attribute("net.sock.peer.addr", FAKE_IP),
                                         _attribute("peer.service", "telemetrygen-client"), *attributes],
                          "status": {"code": status}})
        start += step * children + 1_000_000_000
    resource = [_attribute("service.name", service), _attribute("deployment.environment", environment)]
    return {"resourceSpans": [{"resource": {"attributes": resource},
                               "scopeSpans": [{"scope": {"name": "telemetrygen"}, "spans": spans}]}]}

