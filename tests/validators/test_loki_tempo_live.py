"""The real Loki 3.7 and Tempo 3.0 accept each stack's rendered config, run with the stack's retention,
and give back what was pushed: a log line with its structured metadata, an OTLP trace by TraceQL and id."""

from __future__ import annotations

import json
import re
import secrets
import time
from pathlib import Path

import pytest

from components import constants as c
from components.settings import from_stack_file
from tests.validators.conftest import BACKEND_STACKS
from tests.validators.engine_servers import (Server, loki_push, loki_query_range, now_ns, otlp_trace, tempo_push,
                                          tempo_search, tempo_seed, wait_for)

# One trace per stack, pushed as soon as that stack's Tempo is ready (see tempo_seed).
TRACE_IDS = {stack: secrets.token_hex(16) for stack in BACKEND_STACKS}
ROOT = Path(__file__).resolve().parents[2]
_UNIT_HOURS = {"w": 168, "d": 24, "h": 1, "m": 1 / 60, "s": 1 / 3600}


def hours(duration: str) -> float:
    """A Prometheus/Go duration as the servers print it (`2w`, `3d`, `72h0m0s`) in hours."""
    parts = re.findall(r"(\d+(?:\.\d+)?)([wdhms])", duration)
    assert parts and "".join(n + u for n, u in parts) == duration, f"not a duration: {duration!r}"
    return sum(float(number) * _UNIT_HOURS[unit] for number, unit in parts)


def _ships_loki_and_tempo(render_dir: Path) -> bool:
    manifest = json.loads((render_dir / "manifest.json").read_text())
    services = [c["service"] for c in manifest.get("containers", [])]
    services += [s["name"] for s in manifest.get("railway", {}).get("services", [])]
    return {c.LOKI, c.TEMPO} <= set(services)


def test_every_stack_that_ships_loki_and_tempo_is_booted(rendered):
    stacks = sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in ROOT.glob("Pulumi.*.yaml"))
    assert stacks and sorted(BACKEND_STACKS) == [s for s in stacks if _ships_loki_and_tempo(rendered(s))]


@pytest.mark.parametrize("stack", BACKEND_STACKS)
def test_loki_runs_with_the_stacks_retention(live_backends, stack):
    config = live_backends["loki", stack].config()
    days = from_stack_file(stack).retention.loki_days
    assert hours(config["limits_config"]["retention_period"]) == days * 24
    assert config["compactor"]["retention_enabled"] is True


@pytest.mark.parametrize("stack", BACKEND_STACKS)
def test_tempo_runs_with_the_stacks_retention(live_backends, stack):
    config = live_backends["tempo", stack].config()
    days = from_stack_file(stack).retention.tempo_days
    assert hours(config["backend_worker"]["compaction"]["block_retention"]) == days * 24
    assert hours(config["overrides"]["defaults"]["compaction"]["block_retention"]) == days * 24


@pytest.mark.parametrize("stack", BACKEND_STACKS)
def test_a_pushed_log_line_comes_back_with_its_trace_id_as_structured_metadata(live_backends, stack):
    loki, pushed_at, trace_id = live_backends["loki", stack], now_ns(), secrets.token_hex(16)
    loki_push(loki, [{"stream": {"container": "obs-harness", "level": "error"},
                      "values": [[str(pushed_at), "flow failed", {"trace_id": trace_id}]]}])
    query = f'{{container="obs-harness"}} | trace_id="{trace_id}"'
    [stream] = wait_for(lambda: loki_query_range(loki, query, pushed_at - 10**9, pushed_at + 10**9)["result"],
                        f"the line with trace_id {trace_id}")
    assert stream["values"] == [[str(pushed_at), "flow failed"]]


@tempo_seed
def _push_the_flow_trace(stack: str, tempo: Server) -> None:
    trace_id, now = TRACE_IDS[stack], time.time_ns()
    tempo_push(tempo, otlp_trace(trace_id, [{"spanId": secrets.token_hex(8), "name": "flow.execute", "kind": 2,
                                             "startTimeUnixNano": str(now - 10**8), "endTimeUnixNano": str(now),
                                             "attributes": {"flow_id": trace_id}}], "migration-backend"))


@pytest.mark.parametrize("stack", BACKEND_STACKS)
def test_an_otlp_trace_comes_back_by_traceql_and_by_id(live_backends, stack):
    tempo, trace_id = live_backends["tempo", stack], TRACE_IDS[stack]
    seconds = int(time.time())
    traces = wait_for(lambda: tempo_search(tempo, f'{{ span.flow_id = "{trace_id}" }}', seconds - 300,
                                           seconds + 60)["traces"], f"trace {trace_id} in search", timeout=40)
    assert [t["traceID"].rjust(32, "0") for t in traces] == [trace_id]
    by_id = tempo.get_json(f"/api/v2/traces/{trace_id}")
    assert by_id["trace"]["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["name"] == "flow.execute"
