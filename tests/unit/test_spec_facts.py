"""Where a service spec states one fact twice for two targets, both statements agree: the user a container
runs as (Docker `user`, cluster `pod_ids`), and what its Docker healthcheck and its cluster probes ask."""

from __future__ import annotations

import pytest

from components import constants as c
from components.model import DOCKER, KUBERNETES
from components.services import grafana, stack_specs
from components.settings import from_stack_file

# Distroless images probe with their own binary, which asks /ready itself (`loki -health`, `tempo --health`).
BUILT_IN_HEALTH = {c.LOKI: ("/usr/bin/loki", "-health"), c.TEMPO: ("/tempo", "--health")}
BUILT_IN_PATH = "/ready"


def specs():
    docker = {s.service: s for s in stack_specs(from_stack_file("local"), DOCKER)}
    cluster = {s.service: s for s in stack_specs(from_stack_file("aks-dev"), KUBERNETES)}
    return [(docker[name], spec) for name, spec in sorted(cluster.items())]


@pytest.mark.parametrize("docker, cluster", specs(), ids=lambda s: s.service)
def test_a_cluster_pod_runs_as_the_docker_user_of_the_same_image(docker, cluster):
    assert cluster.pod_ids is not None and cluster.pod_ids[0] > 0
    docker_uid, _, docker_gid = (docker.user or "").partition(":")
    if docker.user is None:  # root on Docker on purpose (Alloy's cAdvisor); never on a cluster
        return
    assert int(docker_uid) == cluster.pod_ids[0]
    if int(docker_gid) != cluster.pod_ids[1]:
        # Only Grafana's image keeps its files group root (gid 0); on a cluster the claim belongs to fsGroup.
        assert (docker.user, cluster.pod_ids) == (grafana.DOCKER_USER, grafana.POD_IDS)


def test_only_grafanas_group_differs_between_docker_and_the_cluster():
    differ = {cluster.service for docker, cluster in specs() if docker.user and cluster.run_as
              and docker.user != f"{cluster.run_as[0]}:{cluster.run_as[1]}"}
    assert differ == {c.GRAFANA, grafana.ADMIN_SYNC}


@pytest.mark.parametrize("docker, cluster", [p for p in specs() if p[1].http_check], ids=lambda s: s.service)
def test_the_docker_healthcheck_asks_what_the_cluster_probes_ask(docker, cluster):
    check = cluster.http_check
    test = " ".join(docker.healthcheck.test)
    if docker.service in BUILT_IN_HEALTH:
        assert tuple(docker.healthcheck.test[1:]) == BUILT_IN_HEALTH[docker.service]
        assert check.path == BUILT_IN_PATH
    elif "/dev/tcp/" in test:  # Alloy: bash's /dev/tcp, the image has no wget or curl
        assert f"/dev/tcp/127.0.0.1/{check.port} " in test and f"GET {check.path} " in test
    else:
        assert docker.healthcheck.test[-1] == f"http://127.0.0.1:{check.port}{check.path}"
