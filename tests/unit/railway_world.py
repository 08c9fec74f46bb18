"""A stateful fake Railway (projects, environments, services, variables, volumes, domains, deployments)
behind the schema-checked FakeRailway, and a small engine that runs the providers as `pulumi up`,
`refresh` and `destroy` do: a create that fails leaves nothing in the state, the next `up` creates again."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from components.targets.railway import providers as p
from components.targets.railway.client import Transport
from tests.unit.railway_fake import FakeRailway, edges, graphql_error, wire

OWNER = "observability/railway"


class RailwayWorld(FakeRailway):
    def __init__(self) -> None:
        super().__init__()
        self.ids = itertools.count(1)
        self.projects: dict[str, dict[str, Any]] = {}
        self.environments: dict[str, dict[str, Any]] = {}
        self.services: dict[str, dict[str, Any]] = {}
        self.variables: dict[tuple[str, str | None], dict[str, str]] = {}  # (environment, service or None)
        self.volumes: dict[str, dict[str, Any]] = {}
        self.domains: dict[str, dict[str, Any]] = {}
        self.instances: dict[tuple[str, str], dict[str, Any]] = {}
        self.deployments: dict[str, str] = {}
        self.answers.update({name[3:]: getattr(self, name) for name in dir(self) if name.startswith("on_")})

    def new(self, kind: str) -> str:
        return f"{kind}-{next(self.ids)}"

    def _get(self, table: dict[str, dict[str, Any]], id_: str, kind: str) -> Any:
        return table[id_] if id_ in table else graphql_error(f"{kind} not found")

    # projects and environments
    def on_Projects(self, _v):
        return {"projects": edges(*self.projects.values())}

    def on_Project(self, v):
        found = self._get(self.projects, v["id"], "Project")
        return found if not isinstance(found, dict) else {"project": {**found, "workspaceId": None, "deletedAt": None}}

    def on_ProjectCreate(self, v):
        id_ = self.new("proj")
        self.projects[id_] = {"id": id_, "name": v["input"]["name"], "description": v["input"].get("description")}
        return {"projectCreate": {"id": id_, "name": v["input"]["name"]}}

    def on_ProjectUpdate(self, v):
        self.projects[v["id"]].update(v["input"])
        return {"projectUpdate": {"id": v["id"], "name": self.projects[v["id"]]["name"]}}

    def on_ProjectDelete(self, v):
        """Takes what is in the project along, as Railway does."""
        for table in (self.environments, self.services, self.volumes):
            for id_ in [id_ for id_, item in table.items() if item["projectId"] == v["id"]]:
                del table[id_]
        return {"projectDelete": bool(self.projects.pop(v["id"]))}

    def on_Environments(self, v):
        return {"environments": edges(*(e for e in self.environments.values() if e["projectId"] == v["projectId"]))}

    def on_Environment(self, v):
        found = self._get(self.environments, v["id"], "Environment")
        return found if not isinstance(found, dict) else {"environment": {**found, "deletedAt": None}}

    def on_EnvironmentCreate(self, v):
        id_ = self.new("env")
        self.environments[id_] = {"id": id_, "name": v["input"]["name"], "projectId": v["input"]["projectId"]}
        return {"environmentCreate": {"id": id_, "name": v["input"]["name"]}}

    def on_EnvironmentRename(self, v):
        self.environments[v["id"]]["name"] = v["input"]["name"]
        return {"environmentRename": self.environments[v["id"]]}

    def on_EnvironmentDelete(self, v):
        return {"environmentDelete": bool(self.environments.pop(v["id"]))}

    # services, their variables and settings
    def on_Services(self, v):
        return {"project": {"services": edges(*(s for s in self.services.values()
                                                 if s["projectId"] == v["projectId"]))}}

    def on_Service(self, v):
        found = self._get(self.services, v["id"], "Service")
        return found if not isinstance(found, dict) else {"service": {**found, "deletedAt": None}}

    def on_ServiceCreate(self, v):
        id_, given = self.new("svc"), v["input"]
        self.services[id_] = {"id": id_, "name": given["name"], "projectId": given["projectId"]}
        # In the given environment, else in every environment of the project (as Railway does).
        for environment in [given["environmentId"]] if given.get("environmentId") else [
                e["id"] for e in self.environments.values() if e["projectId"] == given["projectId"]]:
            self.variables[(environment, id_)] = dict(given.get("variables") or {})
        return {"serviceCreate": {"id": id_, "name": given["name"]}}

    def on_ServiceUpdate(self, v):
        self.services[v["id"]]["name"] = v["input"]["name"]
        return {"serviceUpdate": self.services[v["id"]]}

    def on_ServiceDelete(self, v):
        if v["id"] not in self.services:
            return graphql_error("Service not found")
        self.variables = {key: value for key, value in self.variables.items() if key[1] != v["id"]}
        return {"serviceDelete": bool(self.services.pop(v["id"]))}

    def on_Variables(self, v):
        if v.get("serviceId") and v["serviceId"] not in self.services:
            return graphql_error("Service not found")
        return {"variables": dict(self.variables.get((v["environmentId"], v.get("serviceId")), {}))}

    def on_VariableCollectionUpsert(self, v):
        given = v["input"]
        current = self.variables.setdefault((given["environmentId"], given.get("serviceId")), {})
        if given.get("replace"):
            current.clear()
        current.update(given["variables"])
        return {"variableCollectionUpsert": True}

    def on_ServiceInstanceUpdate(self, v):
        self.instances.setdefault((v["serviceId"], v["environmentId"]), {}).update(v["input"])
        return {"serviceInstanceUpdate": True}

    def on_ServiceInstanceLimitsUpdate(self, _v):
        return {"serviceInstanceLimitsUpdate": True}

    def on_ServiceInstance(self, v):
        found = self.instances.get((v["serviceId"], v["environmentId"]))
        if found is None or v["serviceId"] not in self.services:
            return graphql_error("ServiceInstance not found")
        return {"serviceInstance": {"source": found["source"], "startCommand": found.get("startCommand"),
                                    "healthcheckPath": found.get("healthcheckPath"), "region": "us-west2",
                                    "healthcheckTimeout": found.get("healthcheckTimeout"),
                                    "restartPolicyType": found.get("restartPolicyType")}}

    # volumes
    def on_Volumes(self, v):
        return {"project": {"volumes": edges(*(
            {"id": vol["id"], "name": vol["name"], "volumeInstances": edges(*vol["instances"])}
            for vol in self.volumes.values() if vol["projectId"] == v["projectId"]))}}

    def on_VolumeCreate(self, v):
        id_, given = self.new("vol"), v["input"]
        if any(i["serviceId"] == given["serviceId"] for vol in self.volumes.values() for i in vol["instances"]):
            return graphql_error("Service already has a volume")  # one volume per service
        self.volumes[id_] = {"id": id_, "name": f"generated-{id_}", "projectId": given["projectId"], "instances": [
            {"id": f"{id_}-i", "environmentId": given["environmentId"], "serviceId": given["serviceId"],
             "mountPath": given["mountPath"]}]}
        return {"volumeCreate": {"id": id_, "name": self.volumes[id_]["name"]}}

    def on_VolumeUpdate(self, v):
        self.volumes[v["volumeId"]]["name"] = v["input"]["name"]
        return {"volumeUpdate": {"id": v["volumeId"], "name": v["input"]["name"]}}

    def on_VolumeInstanceUpdate(self, v):
        instances = self.volumes[v["volumeId"]]["instances"]
        instances[:] = [i for i in instances if i["environmentId"] != v["environmentId"]]
        instances.append({"id": f"{v['volumeId']}-i", "environmentId": v["environmentId"], **v["input"]})
        return {"volumeInstanceUpdate": True}

    def on_VolumeDelete(self, v):
        if v["volumeId"] not in self.volumes:
            return graphql_error("Volume not found")
        return {"volumeDelete": bool(self.volumes.pop(v["volumeId"]))}

    # domains and deployments
    def on_Domains(self, v):
        return {"domains": {"serviceDomains": [
            {key: d[key] for key in ("id", "domain", "targetPort")} for d in self.domains.values()
            if (d["serviceId"], d["environmentId"]) == (v["serviceId"], v["environmentId"])]}}

    def on_ServiceDomainCreate(self, v):
        id_ = self.new("dom")
        self.domains[id_] = {"id": id_, "domain": f"grafana-{id_}.up.railway.app", **v["input"]}
        return {"serviceDomainCreate": {key: self.domains[id_][key] for key in ("id", "domain", "targetPort")}}

    def on_ServiceDomainUpdate(self, v):
        self.domains[v["input"]["serviceDomainId"]]["targetPort"] = v["input"]["targetPort"]
        return {"serviceDomainUpdate": True}

    def on_ServiceDomainDelete(self, v):
        if v["id"] not in self.domains:
            return graphql_error("Domain not found")
        return {"serviceDomainDelete": bool(self.domains.pop(v["id"]))}

    def on_ServiceInstanceDeployV2(self, _v):
        id_ = self.new("dep")
        self.deployments[id_] = "DEPLOYING"
        return {"serviceInstanceDeployV2": id_}

    def on_Deployment(self, v):
        if v["id"] not in self.deployments:
            return graphql_error("Deployment not found")
        status, self.deployments[v["id"]] = self.deployments[v["id"]], "SUCCESS"  # DEPLOYING once, then up
        return {"deployment": {"id": v["id"], "status": status}}


@dataclass
class Stack:
    """The state of one stack: what each resource's create (or update) returned, by resource name."""

    world: RailwayWorld
    state: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    transport: Transport | None = None  # the world itself, unless a test puts a real transport in front

    def provider(self, name: str):
        provider = wire(PROVIDERS[name](), self.world)
        provider.transport = self.transport or self.world
        return provider

    def up(self) -> None:
        """Creates what is not in the state yet, in the engine's dependency order."""
        for name, inputs in self.declared():
            if name not in self.state:
                result = self.provider(name).create(inputs)
                self.state[name] = (result.id, result.outs)

    def refresh(self) -> None:
        for name, (id_, outs) in list(self.state.items()):
            result = self.provider(name).read(id_, outs)
            if result.id:
                self.state[name] = (result.id, result.outs)
            else:
                del self.state[name]

    def destroy(self) -> None:
        for name in reversed(list(PROVIDERS)):
            if name in self.state:
                self.provider(name).delete(*self.state.pop(name))

    def id(self, name: str) -> str:
        return self.state[name][0]

    def outs(self, name: str) -> dict[str, Any]:
        return self.state[name][1]

    def declared(self):
        yield "project", {"name": "observability", "workspace_id": "ws-1", "owner": OWNER,
                          "description": "ADR-031 observability stack (managed by Pulumi)"}
        yield "environment", {"project_id": self.id("project"), "name": "production", "owner": OWNER}
        ids = {"project_id": self.id("project"), "environment_id": self.id("environment")}
        yield "service", {**ids, "name": "grafana", "owner": OWNER}
        scoped = {**ids, "service_id": self.id("service"), "service_adopted": self.outs("service")["adopted"]}
        yield "volume", {**scoped, "name": "obs-grafana-data", "mount_path": "/var/lib/grafana"}
        yield "variables", {**scoped, "owner": OWNER, "variables": {"PORT": "3000", "GF_SECRET": "s3cret"}}
        yield "instance", {"service_id": self.id("service"), "environment_id": self.id("environment"),
                           "image": "ghcr.io/a/grafana@sha256:" + "1" * 64, "restart_policy": "ON_FAILURE",
                           "memory_gb": 0.5, "healthcheck_path": "/api/health", "start_command": None}
        yield "domain", {**scoped, "target_port": 3000}
        yield "deploy", {"service_id": self.id("service"), "environment_id": self.id("environment"),
                         "service_name": "grafana", "revision": "r"}


PROVIDERS = {"project": p.ProjectProvider, "environment": p.EnvironmentProvider, "service": p.ServiceProvider,
             "volume": p.VolumeProvider, "variables": p.VariablesProvider, "instance": p.ServiceInstanceProvider,
             "domain": p.ServiceDomainProvider, "deploy": p.DeploymentProvider}
