"""Live demo telemetry into Alloy (demoData, local only), shaped like the platform's own output.

- OpenTelemetry's `telemetrygen` sends OTLP to Alloy: traces of the backend (some ending in error, for
  the error-trace panel, the service graph and span metrics), the agent and tenant-memory metrics the
  dashboards chart, and OTLP logs. Each generator is one process with fixed attributes, so there is one
  small container per stream, each at a low rate.
- A shell loop prints JSON log lines in the platform backend's format on stdout (config/demo/), so the
  Docker log pipeline (JSON fields, labels, redaction) runs on real input; its container name contains
  `backend`, like the platform's, so the Application Logs dashboard shows it. Some lines carry
  FAKE_SECRET, which must reach Loki redacted.

The tenant ids are the demo database's (config/demo/02-demo-rows.sql), so tenant filters match.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from components import constants as c
from components import images
from components.model import ContainerSpec, File, frozen_env
from components.services.common import config_file
from components.settings import Settings

LOG_SCRIPT = "/etc/demo/platform-logs.sh"
LOG_EMITTER = "demo-backend"  # the container name contains "backend", like the platform's
FAKE_SECRET = "demo-fake-secret-3f9a7c2e1b"  # not a credential: proves redaction end to end
GENERATOR_MEMORY_MB = 32
LOG_EMITTER_MEMORY_MB = 16
NOBODY = "65534:65534"


def demo_uuid(seed: str) -> str:
    """md5(seed) as a uuid: what the demo rows' `md5(...)::uuid` gives in Postgres."""
    return str(uuid.UUID(hashlib.md5(seed.encode()).hexdigest()))


CLIENTS = (demo_uuid("demo-client1"), demo_uuid("demo-client2"))
ENGAGEMENTS = (demo_uuid("demo-engagement11"), demo_uuid("demo-engagement21"))  # one of each client's
FLOW = demo_uuid("demo-flow1")


@dataclass(frozen=True)
class Stream:
    """One telemetrygen process: its signal, container suffix, extra flags and data-point attributes."""

    name: str
    signal: str  # traces | metrics | logs
    flags: tuple[str, ...]
    attributes: tuple[tuple[str, str], ...]
    rate: str = "0.2"  # items per second: low, a demo not a load test


def _platform(agent: str, phase: str, status: str, client: int = 0) -> tuple[tuple[str, str], ...]:
    return (("flow_id", FLOW), ("client_account_id", CLIENTS[client]), ("engagement_id", ENGAGEMENTS[client]),
            ("agent", agent), ("phase", phase), ("status", status))


def _tenant(client: int = 0) -> tuple[tuple[str, str], ...]:
    return (("client_account_id", CLIENTS[client]), ("engagement_id", ENGAGEMENTS[client]))


def _metric(name: str, kind: str) -> tuple[str, ...]:
    return ("--service", "backend", "--otlp-metric-name", name, "--metric-type", kind)


STREAMS = (
    Stream("traces-backend", "traces", ("--service", "backend", "--child-spans", "3", "--span-duration", "180ms"),
           _platform("asset_inventory_agent", "asset_inventory", "completed"), rate="0.5"),
    Stream("traces-errors", "traces", ("--service", "backend", "--status-code", "Error", "--span-duration", "2s"),
           _platform("risk_assessment_agent", "assessment", "failed", client=1), rate="0.05"),
    # Metric names as the backend's instrumentation will send them (ADR-031 Phase 4); Alloy's Prometheus
    # conversion adds `_total` to the monotonic sums and `_bucket`/`_sum`/`_count` to the histograms.
    Stream("metrics-agent-runs", "metrics", _metric("agent_runs", "Sum"),
           (*_tenant(), ("agent", "dependency_analysis_agent"), ("phase", "dependency_analysis"),
            ("outcome", "success"))),
    Stream("metrics-agent-duration", "metrics", _metric("agent_duration_ms", "Histogram"),
           (*_tenant(), ("agent", "dependency_analysis_agent"), ("phase", "dependency_analysis"))),
    Stream("metrics-memory-searches", "metrics", _metric("tenant_memory_search", "Sum"),
           (*_tenant(1), ("scope", "engagement"))),
    Stream("metrics-memory-retrieved", "metrics", _metric("tenant_memory_patterns_retrieved", "Sum"),
           (*_tenant(1), ("scope", "engagement"))),
    Stream("metrics-memory-latency", "metrics", _metric("tenant_memory_search_duration_ms", "Histogram"),
           (*_tenant(1), ("scope", "engagement"))),
    Stream("logs-otlp", "logs", ("--service", "backend", "--severity-text", "Info", "--body",
                                 f"LLM call finished for flow {FLOW}, api_key={FAKE_SECRET}"),
           _platform("sixr_strategy_agent", "sixr_strategy", "completed")),
)


def _generator(settings: Settings, stream: Stream) -> ContainerSpec:
    service = f"demo-{stream.name}"
    attributes = tuple(f'--telemetry-attributes={key}="{value}"' for key, value in stream.attributes)
    return ContainerSpec(
        service=service,
        name=c.container_name(service),
        image=images.TELEMETRYGEN,
        # Runs until stopped; keeps going while Alloy restarts instead of exiting on the first failed export.
        command=(stream.signal, f"--otlp-endpoint={c.ALLOY}:{c.OTLP_GRPC_PORT}", "--otlp-insecure",
                 "--duration=inf", f"--rate={stream.rate}", "--allow-export-failures",
                 f'--otlp-attributes=deployment.environment="{settings.environment}"', *stream.flags, *attributes),
        memory_mb=GENERATOR_MEMORY_MB,
        user=NOBODY,
        depends_on=(c.ALLOY,),
    )


def _log_emitter() -> ContainerSpec:
    return ContainerSpec(
        service=LOG_EMITTER,
        name=c.container_name(LOG_EMITTER),
        image=images.POSTGRES_CLIENT,  # any busybox shell does; this pinned alpine image is already pulled
        entrypoint=("/bin/sh",),
        command=(LOG_SCRIPT,),
        env=frozen_env(DEMO_CLIENT_1=CLIENTS[0], DEMO_CLIENT_2=CLIENTS[1], DEMO_ENGAGEMENT_1=ENGAGEMENTS[0],
                       DEMO_ENGAGEMENT_2=ENGAGEMENTS[1], DEMO_FAKE_SECRET=FAKE_SECRET),
        files=(File(LOG_SCRIPT, config_file("demo", "platform-logs.sh", LOG_SCRIPT).content, 0o555),),
        memory_mb=LOG_EMITTER_MEMORY_MB,
        user=NOBODY,
        depends_on=(c.ALLOY,),
    )


def specs(settings: Settings) -> tuple[ContainerSpec, ...]:
    return (*(_generator(settings, s) for s in STREAMS), _log_emitter())

