"""The canary runs on every stack that ships this stack's collector, from a mirrored pinned image, within
the memory budget, and may reach Alloy's OTLP/HTTP receiver on a cluster."""

from __future__ import annotations

import pytest

from components import constants as c
from components import images
from components.model import KUBERNETES
from components.services import canary, stack_specs
from components.settings import SettingsError, from_stack_file, parse
from components.targets.kubernetes import network
from components.targets.railway.services import service_specs


def _canary(specs):
    found = [s for s in specs if s.service == c.CANARY]
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize("stack", ["local", "azure-dev"])
def test_the_docker_stacks_run_the_canary(stack):
    spec = _canary(stack_specs(from_stack_file(stack)))
    assert spec.env["CANARY_OTLP_ENDPOINT"] == f"http://{c.ALLOY}:{c.OTLP_HTTP_PORT}"
    assert spec.healthcheck is not None and spec.depends_on == (c.ALLOY,)


def test_the_cluster_runs_the_canary_and_its_policies_admit_it_to_alloys_otlp_http_port():
    settings = from_stack_file("aks-dev")
    specs = list(stack_specs(settings, KUBERNETES))
    _canary(specs)
    by_name = {p["metadata"]["name"]: p for p in network.policies(settings, specs, lambda s: {"app": s})}
    assert {"from": [{"podSelector": {"matchLabels": {"app": c.CANARY}}}],
            "ports": [{"protocol": "TCP", "port": c.OTLP_HTTP_PORT}]} in by_name[c.ALLOY]["spec"]["ingress"]
    assert {"to": [{"podSelector": {"matchLabels": {"app": c.ALLOY}}}],
            "ports": [{"protocol": "TCP", "port": c.OTLP_HTTP_PORT}]} in by_name[c.CANARY]["spec"]["egress"]


def test_railway_self_hosted_runs_the_canary_against_alloys_private_host():
    spec = _canary(service_specs(from_stack_file("railway")))
    assert spec.env["CANARY_OTLP_ENDPOINT"] == f"http://${{{{{c.ALLOY}.RAILWAY_PRIVATE_DOMAIN}}}}:{c.OTLP_HTTP_PORT}"


def test_the_canary_image_is_a_catalog_image_mirrored_to_acr():
    assert canary.spec(from_stack_file("local")).image in images.ALL  # ALL: what azure-dev's cache rules mirror


def test_the_canary_is_tagged_and_carries_the_fake_secret_it_must_see_redacted():
    env = canary.spec(from_stack_file("local")).env
    assert (env["CANARY_SERVICE_NAME"], env["CANARY_FAKE_SECRET"], env["CANARY_METRIC"]) == (
        c.CANARY_SERVICE_NAME, c.CANARY_FAKE_SECRET, c.CANARY_METRIC)
    assert env["CANARY_INTERVAL_SECONDS"] == "60"


def test_the_canarys_memory_counts_in_the_budget_at_the_exact_boundary():
    services = sum(parse("x", {}).memory_mb.values())
    assert parse("x", {"memoryBudgetMb": services + c.CANARY_MEMORY_MB}).memory_mb
    with pytest.raises(SettingsError, match="canary"):
        parse("x", {"memoryBudgetMb": services + c.CANARY_MEMORY_MB - 1})
