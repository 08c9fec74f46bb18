"""The real Alloy (ALLOY_BIN) runs the local stack's rendered configuration: every component builds and the
whole file set loads (`/-/ready`), and with the real Loki (LOKI_BIN) its log pipeline redacts the corpus
exactly as the tests' replay of it says (test_alloy_redaction.py), so that replay is checked against Alloy."""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request

from tests.validators.alloy_engine import LoopbackMap, alloy_service, loopback_copy, running, running_render
from tests.validators.engine_servers import loki_query_range, now_ns, wait_for
from tests.validators.test_alloy_redaction import ORDINARY_LINES, SECRET_LINES, redact
from tests.validators.tools import free_port

# A source the test adds beside the rendered files: Loki's push API in front of the stack's own pipeline.
HARNESS_SOURCE = """
loki.source.api "harness" {{
  http {{
    listen_address = "127.0.0.1"
    listen_port    = {http}
  }}
  grpc {{
    listen_address = "127.0.0.1"
    listen_port    = {grpc}
  }}
  use_incoming_timestamp = true
  forward_to             = [loki.process.logs.receiver]
}}
"""


def test_the_local_stacks_alloy_configuration_loads_in_the_real_alloy(rendered, tmp_path):
    with running_render(rendered("local"), tmp_path) as (alloy, mapping):
        assert alloy.get("/-/ready")[0] == 200
        assert alloy.process.poll() is None
        # The OTLP receivers of otlp.alloy listen (moved from 0.0.0.0:4318 to a loopback port).
        assert mapping.listener(4318)


def test_the_real_alloy_redacts_the_corpus_as_the_replay_says(rendered, live_backends, tmp_path):
    loki = live_backends["loki", "local"]
    render_dir = rendered("local")
    service = alloy_service(render_dir)
    mapping = LoopbackMap()
    config, env = loopback_copy(render_dir / "files" / service["name"] / "etc" / "alloy", tmp_path, service["env"],
                                mapping)
    env["LOKI_PUSH_URL"] = f"{loki.url}/loki/api/v1/push"
    api_port = free_port()
    (config / "zz-harness.alloy").write_text(HARNESS_SOURCE.format(http=api_port, grpc=free_port()))
    lines = [line for line, _ in SECRET_LINES] + ORDINARY_LINES
    assert lines
    container = f"redaction-{secrets.token_hex(4)}"
    start = now_ns()
    with running(service["command"], config, tmp_path, env):
        body = {"streams": [{"stream": {"container": container, "service_name": container},
                             "values": [[str(start + i), line] for i, line in enumerate(lines)]}]}
        status, answer = post_json(f"http://127.0.0.1:{api_port}/loki/api/v1/push", body)
        assert status == 204, answer

        def arrived():
            data = loki_query_range(loki, f'{{container="{container}"}}', start - 10**9, now_ns() + 10**9)
            values = [v for stream in data["result"] for v in stream["values"]]
            return values if len(values) >= len(lines) else None

        values = wait_for(arrived, f"{len(lines)} lines in Loki", timeout=60)
    shipped = {int(ts) - start: line for ts, line in values}
    assert sorted(shipped) == list(range(len(lines)))
    assert [shipped[i] for i in range(len(lines))] == [redact(line) for line in lines]


def post_json(url: str, body: dict) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
