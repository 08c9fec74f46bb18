"""Loki scaled out as aks-dev deploys it (lokiReplicas 3, azure-blob): three real Loki instances (LOKI_BIN) on
loopback, sharing one Azurite blob container, lose no acknowledged line when one is killed.

Each instance runs the aks-dev Loki spec's own command, environment and config (replicas.yaml merged over the
blob overlay) with only paths and addresses mapped: its data directory, its ports, 127.0.0.1 as the pod IP,
the memberlist join address (the headless Service) as the three loopback gossip ports, the ring instance id
as the pod name, and the storage account's endpoint as Azurite's (`connection_string`, which Loki's Azure
client documents for the emulator).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from components import constants as c
from components.model import KUBERNETES, Ref
from components.services import stack_specs
from components.settings import parse
from tests.kubernetes_variants import SCALED_OUT, stack_file_config
from tests.validators import engine_servers as es
from tests.validators.azurite import ACCOUNT, ACCOUNT_KEY, Azurite, running_azurite
from tests.validators.engines import require_engine
from tests.validators.tools import free_port

CONTAINER = "loki"  # the stack's default lokiBlobContainer
STREAM = {"job": "ha-test", "environment": "aks-dev"}
LINES_PER_PHASE = 25


def _spec():
    settings = parse("aks-dev", stack_file_config() | SCALED_OUT | {"azureBlobAuth": "account-key"}, set(),
                     deploying=False)
    [loki] = [s for s in stack_specs(settings, KUBERNETES) if s.service == c.LOKI]
    assert loki.replicas == 3
    return loki


class Cluster:
    """Three Loki instances as the three pods of the StatefulSet (loki-0, loki-1, loki-2)."""

    def __init__(self, workdir: Path, azurite: Azurite):
        self.spec = _spec()
        [file] = self.spec.files
        self.config = yaml.safe_load(file.content)
        self.binary = require_engine("loki")
        self.workdir = workdir
        self.azurite = azurite
        self.ports = [{"http": free_port(), "grpc": free_port(), "memberlist": free_port()} for _ in range(3)]
        self.servers: list[es.Server | None] = [None, None, None]

    def mapped_config(self, index: int) -> dict:
        ports = self.ports[index]
        config = es.moved_under(json.loads(json.dumps(self.config)), self.config["common"]["path_prefix"],
                           self.workdir / f"loki-{index}" / "data")
        assert config["memberlist"]["join_members"] == [f"{c.headless_service(c.LOKI)}:{c.MEMBERLIST_PORT}"]
        config["server"] |= {"http_listen_address": "127.0.0.1", "http_listen_port": ports["http"],
                             "grpc_listen_address": "127.0.0.1", "grpc_listen_port": ports["grpc"]}
        config["memberlist"] |= {"bind_addr": ["127.0.0.1"], "bind_port": ports["memberlist"],
                                 "advertise_addr": "127.0.0.1", "advertise_port": ports["memberlist"],
                                 "join_members": [f"127.0.0.1:{p['memberlist']}" for p in self.ports]}
        config["common"]["ring"]["instance_id"] = f"loki-{index}"  # the pod name, the default on a cluster
        config["common"]["storage"]["azure"]["connection_string"] = self.azurite.connection_string
        return config

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in self.spec.env.items() if not isinstance(v, Ref)}
        assert set(self.spec.env) - set(env) == {"AZURE_STORAGE_KEY"}
        return {**env, "AZURE_STORAGE_ACCOUNT": ACCOUNT, "AZURE_STORAGE_KEY": ACCOUNT_KEY, "POD_IP": "127.0.0.1"}

    def start(self, index: int) -> es.Server:
        server = es.start_server("loki", self.binary, list(self.spec.command), self.env(), self.mapped_config(index),
                           self.workdir / f"loki-{index}", self.ports[index])
        self.servers[index] = server
        return server

    def stop_all(self) -> None:
        for server in self.servers:
            if server and server.process.poll() is None:
                es.stop(server)


def active_ingesters(server: es.Server) -> int:
    """How many ingesters this instance's ring view holds as ACTIVE (its /metrics)."""
    text = server.get_text("/metrics")
    match = re.search(r'^loki_ring_members\{name="ingester",state="ACTIVE"\} (\d+)', text, re.MULTILINE)
    return int(match[1]) if match else 0


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    require_engine("loki")
    workdir = tmp_path_factory.mktemp("loki-ha")
    with running_azurite(workdir / "azurite") as azurite:
        azurite.create_container(CONTAINER)
        cluster = Cluster(workdir, azurite)
        try:
            es.wait_ready(*(cluster.start(i) for i in range(3)))
            es.wait_for(lambda: all(active_ingesters(s) == 3 for s in cluster.servers if s), "a ring of 3 ingesters")
            yield cluster
        finally:
            cluster.stop_all()


def _push(server: es.Server, acknowledged: dict[str, str], phase: str) -> None:
    """LINES_PER_PHASE lines, one push each; a line counts only once Loki answered 204."""
    for n in range(LINES_PER_PHASE):
        line = f"{phase} line {n}"
        es.loki_push(server, [{"stream": STREAM, "values": [[str(es.now_ns()), line]]}])
        acknowledged[line] = phase


def _read_back(server: es.Server, start_ns: int) -> set[str]:
    data = es.loki_query_range(server, '{job="ha-test"}', start_ns, es.now_ns() + 1, direction="forward")
    return {value[1] for stream in data["result"] for value in stream["values"]}


def test_a_killed_replica_loses_no_acknowledged_line_and_rejoins_the_ring(cluster):
    writer, victim, reader = cluster.servers
    assert writer and victim and reader
    start = es.now_ns() - 1
    acknowledged: dict[str, str] = {}
    _push(writer, acknowledged, "before")
    assert _read_back(reader, start) == set(acknowledged)

    victim.process.kill()  # SIGKILL: no flush, no leaving the ring
    victim.process.wait()
    _push(writer, acknowledged, "after")  # replication factor 3: two live ingesters are a write quorum
    assert _read_back(reader, start) == set(acknowledged)  # queries answer with one replica gone
    assert writer.request("/ready")[0] == 200 and reader.request("/ready")[0] == 200

    restarted = cluster.start(1)
    es.wait_ready(restarted)
    es.wait_for(lambda: active_ingesters(restarted) == 3 and active_ingesters(reader) == 3,
                "the restarted instance back in the ring", timeout=30)
    _push(writer, acknowledged, "rejoined")
    assert len(acknowledged) == 3 * LINES_PER_PHASE
    assert _read_back(reader, start) == set(acknowledged)
    assert _read_back(restarted, start) == set(acknowledged)


def test_the_replicas_share_one_ring_over_memberlist_and_the_blob_container(cluster):
    [writer, *_] = [s for s in cluster.servers if s]
    config = writer.config()
    assert config["target"] == "all"  # Loki's default target: every replica runs the whole engine
    assert config["common"]["replication_factor"] == 3
    assert config["ingester"]["lifecycler"]["ring"]["kvstore"]["store"] == "memberlist"
    assert config["ingester"]["wal"]["flush_on_shutdown"] is True
    assert config["ingester"]["lifecycler"]["readiness_check_ring_health"] is False
    assert config["ruler"]["enable_sharding"] is True
    status, _ = writer.request("/flush", body=b"")  # its chunks to the store now, not after chunk_idle_period
    assert status == 204
    es.wait_for(lambda: any(n.startswith("fake/") for n in cluster.azurite.blob_names(CONTAINER)),
                "chunks in the shared blob container", timeout=20)
