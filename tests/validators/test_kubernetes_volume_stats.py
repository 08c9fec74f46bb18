"""On a cluster, the disk rule and alert read the claims' usage: the real Prometheus scrapes kubelet-style
volume stats (served on loopback) through the relabel rules of config/alloy/kubernetes-volumes.alloy — the
same Prometheus relabel semantics Alloy uses — and evaluates the stack's recording rule and the Grafana
disk alert's query on them."""

from __future__ import annotations

import json
import re
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from components.alerts.platform_health import VOLUME_USAGE
from tests.validators.alloy_syntax import Block, Expr, parse
from tests.validators.tools import free_port, require_tool

ROOT = Path(__file__).resolve().parents[2]
NAMESPACE = "observability"
KUBELET = f"""\
kubelet_volume_stats_available_bytes{{namespace="{NAMESPACE}",persistentvolumeclaim="data-loki-0"}} 1.5e9
kubelet_volume_stats_capacity_bytes{{namespace="{NAMESPACE}",persistentvolumeclaim="data-loki-0"}} 1.5e10
kubelet_volume_stats_used_bytes{{namespace="{NAMESPACE}",persistentvolumeclaim="data-loki-0"}} 1.35e10
kubelet_volume_stats_available_bytes{{namespace="{NAMESPACE}",persistentvolumeclaim="data-prometheus-0"}} 2.1e10
kubelet_volume_stats_capacity_bytes{{namespace="{NAMESPACE}",persistentvolumeclaim="data-prometheus-0"}} 2.8e10
kubelet_volume_stats_available_bytes{{namespace="platform",persistentvolumeclaim="data-loki-0"}} 1
kubelet_volume_stats_capacity_bytes{{namespace="platform",persistentvolumeclaim="data-loki-0"}} 100
kubelet_volume_stats_available_bytes{{namespace="{NAMESPACE}",persistentvolumeclaim="uploads"}} 1
kubelet_volume_stats_capacity_bytes{{namespace="{NAMESPACE}",persistentvolumeclaim="uploads"}} 100
"""
ENV_DEFAULT = re.compile(r'coalesce\(sys\.env\("(\w+)"\), "([^"]*)"\)')


def relabel_configs() -> list[dict]:
    """The `prometheus.relabel` rules of the Alloy file as Prometheus relabel_configs (same fields)."""
    root = parse((ROOT / "config/alloy/kubernetes-volumes.alloy").read_text())
    [relabel] = [b for b in root.blocks if b.id == 'prometheus.relabel.kubelet_volumes']
    return [_config(rule) for rule in relabel.find("rule")]


def _config(rule: Block) -> dict:
    config = {}
    for key, value in rule.attrs.items():
        if isinstance(value, Expr):  # coalesce(sys.env("POD_NAMESPACE"), "…"): the pod's namespace
            match = ENV_DEFAULT.fullmatch(value.text)
            assert match and match.group(1) == "POD_NAMESPACE", value.text
            value = NAMESPACE
        config[key] = value
    return config


class Kubelet(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        body = KUBELET.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def query(base: str, expr: str) -> list[dict]:
    url = f"{base}/api/v1/query?{urllib.parse.urlencode({'query': expr})}"
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())["data"]["result"]


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory):
    binary = require_tool("prometheus")
    scratch = tmp_path_factory.mktemp("volume-stats")
    kubelet = ThreadingHTTPServer(("127.0.0.1", 0), Kubelet)
    threading.Thread(target=kubelet.serve_forever, daemon=True).start()
    config = {"global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
              "rule_files": [str(ROOT / "config/prometheus/rules/stack.yml")],
              "scrape_configs": [{"job_name": "volumes", "metric_relabel_configs": relabel_configs(),
                                  "static_configs": [{"targets": [f"127.0.0.1:{kubelet.server_port}"]}]}]}
    (scratch / "prometheus.yml").write_text(yaml.safe_dump(config))
    port = free_port()
    log = (scratch / "prometheus.log").open("w")
    process = subprocess.Popen([binary, f"--config.file={scratch / 'prometheus.yml'}",
                                f"--storage.tsdb.path={scratch / 'data'}", f"--web.listen-address=127.0.0.1:{port}"],
                               stdout=log, stderr=subprocess.STDOUT)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()
        kubelet.shutdown()


def eventually(base: str, expr: str) -> list[dict]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if result := query(base, expr):
                return result
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"{expr} returned nothing within 20s")


def test_the_recording_rule_reports_each_claim_of_the_stack_by_service(prometheus):
    ratios = {r["metric"]["volume"]: float(r["value"][1])
              for r in eventually(prometheus, "volume:filesystem_used:ratio")}
    assert ratios == pytest.approx({"loki": 0.9, "prometheus": 0.25})


def test_the_grafana_disk_alert_query_sees_a_full_claim_as_a_full_disk(prometheus):
    usage = {r["metric"]["device"]: float(r["value"][1]) for r in eventually(prometheus, VOLUME_USAGE)}
    assert usage == pytest.approx({"data-loki-0": 90.0, "data-prometheus-0": 25.0})
