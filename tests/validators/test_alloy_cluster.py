"""Clustered Alloy as aks-dev deploys it (alloyReplicas 2): two real Alloy instances (ALLOY_BIN) on loopback,
started with the aks-dev Alloy spec's own command line (its `--cluster.*` arguments), form one cluster.

Mapped, nothing else: each instance's listen address, storage path and node name (the pod name on a
cluster), the headless Service in `--cluster.join-addresses` as both loopback addresses, and the advertised
address (inferred from eth0 in a pod). The configuration is the stack's files that need no Kubernetes API
server (the shared pipeline, the writes and the clustered stack scrape), their peers on closed loopback ports.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from components import constants as c
from components.model import KUBERNETES, Ref
from components.services import stack_specs
from components.services.alloy import CONFIG_DIR_IN_CONTAINER, KUBERNETES_FILES
from components.settings import parse
from tests.kubernetes_variants import SCALED_OUT, stack_file_config
from tests.validators.alloy_engine import Alloy, LoopbackMap, wait_ready
from tests.validators.engine_servers import wait_for
from tests.validators.engines import require_engine
from tests.validators.tools import free_port

JOIN_FLAG = "--cluster.join-addresses"
PEERS_PATH = "/api/v0/web/peers"  # the clustering peers of Alloy's UI API (internal/web/api)


def _spec():
    settings = parse("aks-dev", stack_file_config() | SCALED_OUT, set(), deploying=False)
    [alloy] = [s for s in stack_specs(settings, KUBERNETES) if s.service == c.ALLOY]
    assert alloy.replicas == 2
    return alloy


def _config_dir(spec, workdir: Path, mapping: LoopbackMap) -> Path:
    directory = workdir / "config"
    directory.mkdir(parents=True)
    files = [f for f in spec.files if f.path.startswith(f"{CONFIG_DIR_IN_CONTAINER}/") and f.path.endswith(".alloy")
             and Path(f.path).name not in KUBERNETES_FILES and not isinstance(f.content, Ref)]
    assert any("clustering" in f.content for f in files)
    for file in files:
        (directory / Path(file.path).name).write_text(mapping(file.content))
    return directory


def _command(spec, index: int, ports: list[int], workdir: Path, config_dir: Path) -> list[str]:
    [join] = [a for a in spec.command if a.startswith(JOIN_FLAG + "=")]
    assert join == f"{JOIN_FLAG}={c.headless_service(c.ALLOY)}:{c.PORTS[c.ALLOY]}"
    assert "--cluster.enabled=true" in spec.command
    moved = {"--server.http.listen-addr": f"127.0.0.1:{ports[index]}", "--storage.path": str(workdir / "data"),
             JOIN_FLAG: ",".join(f"127.0.0.1:{p}" for p in ports)}
    args = [f"{a.split('=', 1)[0]}={moved[a.split('=', 1)[0]]}" if a.split("=", 1)[0] in moved else a
            for a in spec.command]
    args[-1] = str(config_dir)
    return [*args[:-1], f"--cluster.advertise-address=127.0.0.1:{ports[index]}",
            f"--cluster.node-name=alloy-{index}", args[-1]]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[list[Alloy]]:
    binary = require_engine("alloy")
    spec = _spec()
    mapping = LoopbackMap()
    env = {k: mapping(f'"{v}"')[1:-1] for k, v in spec.env.items() if not isinstance(v, Ref)}
    ports = [free_port(), free_port()]
    with ExitStack() as stack:
        instances = []
        for index in range(2):
            workdir = tmp_path_factory.mktemp(f"alloy-{index}")
            log_path = workdir / "alloy.log"
            with log_path.open("wb") as log:
                process = subprocess.Popen([binary, *_command(spec, index, ports, workdir,
                                                              _config_dir(spec, workdir, mapping))],
                                           stdout=log, stderr=subprocess.STDOUT, cwd=workdir, env=env)
            stack.callback(process.wait)
            stack.callback(process.kill)
            instances.append(Alloy(f"http://127.0.0.1:{ports[index]}", process, log_path))
        for alloy in instances:
            wait_ready(alloy)
        yield instances


def peer_names(alloy: Alloy) -> set[str]:
    status, body = alloy.get(PEERS_PATH)
    assert status == 200, body[:300]
    return {peer.get("name") or peer.get("Name") for peer in json.loads(body)}


def test_two_clustered_alloys_are_ready_and_see_each_other_as_peers(cluster):
    for alloy in cluster:
        assert alloy.get("/-/ready")[0] == 200
    wait_for(lambda: all(peer_names(a) == {"alloy-0", "alloy-1"} for a in cluster), "one cluster of two peers")
