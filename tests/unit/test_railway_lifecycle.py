"""One service's whole life against a stateful fake Railway, in the order `pulumi up` runs the providers:
service (no source) → volume → variables with skipDeploys → instance settings → domain → one deploy;
a second `up` that lost its state adopts everything (no duplicates); `destroy` removes what the stack made."""

from __future__ import annotations

import itertools
from typing import Any

from components.targets.railway import providers as p
from tests.unit.railway_fake import FakeRailway, edges, wire


class StatefulRailway(FakeRailway):
    def __init__(self) -> None:
        super().__init__()
        ids = itertools.count(1)
        self.services: dict[str, str] = {}
        self.volumes: dict[str, str] = {}
        self.variables: dict[str, str] = {}
        self.domains: list[dict[str, Any]] = []
        new = lambda kind: f"{kind}-{next(ids)}"  # noqa: E731

        def create_service(v):
            self.services[v["input"]["name"]] = new("svc")
            return {"serviceCreate": {"id": self.services[v["input"]["name"]], "name": v["input"]["name"]}}

        def create_volume(_v):
            volume_id = new("vol")
            self.volumes[f"unnamed-{volume_id}"] = volume_id
            return {"volumeCreate": {"id": volume_id, "name": f"unnamed-{volume_id}"}}

        def rename_volume(v):
            old = next(name for name, vid in self.volumes.items() if vid == v["volumeId"])
            self.volumes[v["input"]["name"]] = self.volumes.pop(old)
            return {"volumeUpdate": {"id": v["volumeId"], "name": v["input"]["name"]}}

        def create_domain(v):
            self.domains.append({"id": new("dom"), "domain": "grafana-x.up.railway.app",
                                 "targetPort": v["input"]["targetPort"]})
            return {"serviceDomainCreate": self.domains[-1]}

        self.answers.update({
            "Services": lambda _v: {"project": {"services": edges(*({"id": i, "name": n}
                                                                    for n, i in self.services.items()))}},
            "ServiceCreate": create_service,
            "ServiceDelete": lambda v: {"serviceDelete": bool(self.services.pop(
                next(n for n, i in self.services.items() if i == v["id"])))},
            "Volumes": lambda _v: {"project": {"volumes": edges(*({"id": i, "name": n}
                                                                  for n, i in self.volumes.items()))}},
            "VolumeCreate": create_volume, "VolumeUpdate": rename_volume,
            "VolumeInstanceUpdate": {"volumeInstanceUpdate": True},
            "VolumeDelete": lambda v: {"volumeDelete": bool(self.volumes.pop(
                next(n for n, i in self.volumes.items() if i == v["volumeId"])))},
            "VariableCollectionUpsert": lambda v: (
                self.variables.clear() if v["input"].get("replace") else None,
                self.variables.update(v["input"]["variables"]), {"variableCollectionUpsert": True})[2],
            "ServiceInstanceUpdate": {"serviceInstanceUpdate": True},
            "ServiceInstanceLimitsUpdate": {"serviceInstanceLimitsUpdate": True},
            "Domains": lambda _v: {"domains": {"serviceDomains": list(self.domains)}},
            "ServiceDomainCreate": create_domain,
            "ServiceDomainDelete": lambda v: {"serviceDomainDelete": bool(self.domains.pop())},
            "ServiceInstanceDeployV2": lambda _v: {"serviceInstanceDeployV2": new("dep")},
            "Deployment": [{"deployment": {"id": "d", "status": "DEPLOYING"}},
                           {"deployment": {"id": "d", "status": "SUCCESS"}}],
        })


IDS = {"project_id": "proj", "environment_id": "env"}


def up(api: StatefulRailway) -> dict[str, Any]:
    """The providers' creates in the engine's dependency order; returns each one's outputs."""
    service = wire(p.ServiceProvider(), api).create({"project_id": "proj", "name": "grafana"})
    scoped = {**IDS, "service_id": service.id}
    volume = wire(p.VolumeProvider(), api).create({**scoped, "name": "obs-grafana-data",
                                                   "mount_path": "/var/lib/grafana"})
    variables = wire(p.VariablesProvider(), api).create({**scoped, "variables": {"PORT": "3000"},
                                                         "service_adopted": service.outs["adopted"]})
    wire(p.ServiceInstanceProvider(), api).create({"service_id": service.id, "environment_id": "env",
                                                   "image": "ghcr.io/a/grafana@sha256:" + "1" * 64,
                                                   "restart_policy": "ON_FAILURE", "memory_gb": 0.5})
    domain = wire(p.ServiceDomainProvider(), api).create({**scoped, "target_port": 3000})
    deploy = wire(p.DeploymentProvider(), api).create({"service_id": service.id, "environment_id": "env",
                                                       "service_name": "grafana", "revision": "r"})
    return {"service": service, "volume": volume, "variables": variables, "domain": domain, "deploy": deploy}


def test_first_up_configures_everything_before_the_single_deploy():
    api = StatefulRailway()
    up(api)
    operations = api.operations()
    deploy_at = operations.index("ServiceInstanceDeployV2")
    assert operations.count("ServiceInstanceDeployV2") == 1
    for configured in ("ServiceCreate", "VolumeCreate", "VariableCollectionUpsert", "ServiceInstanceUpdate",
                       "ServiceDomainCreate"):
        assert operations.index(configured) < deploy_at, configured
    assert all(v["input"]["skipDeploys"] for v in api.variables_of("VariableCollectionUpsert"))
    assert api.services == {"grafana": "svc-1"} and list(api.volumes) == ["obs-grafana-data"]


def test_a_second_up_after_lost_state_adopts_instead_of_duplicating():
    api = StatefulRailway()
    first = up(api)
    second = up(api)
    assert second["service"].id == first["service"].id and second["volume"].id == first["volume"].id
    assert second["domain"].id == first["domain"].id
    assert len(api.services) == 1 and len(api.volumes) == 1 and len(api.domains) == 1


def test_destroy_removes_what_the_stack_made():
    api = StatefulRailway()
    destroy(api, up(api))
    assert (api.services, api.volumes, api.variables, api.domains) == ({}, {}, {}, [])


def destroy(api: StatefulRailway, made: dict[str, Any]) -> None:
    """The providers' deletes in the engine's reverse dependency order."""
    for provider, kind in ((p.DeploymentProvider, "deploy"), (p.ServiceDomainProvider, "domain"),
                           (p.VariablesProvider, "variables"), (p.VolumeProvider, "volume"),
                           (p.ServiceProvider, "service")):
        wire(provider(), api).delete(made[kind].id, made[kind].outs)


def test_destroy_after_adopting_leaves_every_adopted_object_and_its_data():
    api = StatefulRailway()
    up(api)  # someone else's service, volume and domain, already there
    adopted = up(api)
    destroy(api, adopted)
    assert list(api.services) == ["grafana"] and list(api.volumes) == ["obs-grafana-data"]
    assert len(api.domains) == 1 and api.variables == {"PORT": "3000"}
