"""Declares the stack on Railway: a project and environment, then per service an image (built with its
config), the service, its volume, variables (skipDeploys), instance settings and, for the public
service only, a domain; then one deployment per service once every service is configured."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi

from components.constants import PROJECT
from components.model import ContainerSpec
from components.secret_names import RAILWAY_REGISTRY_PASSWORD
from components.settings import Settings
from components.targets.values import resolve
from components.targets.railway import resources as rw
from components.targets.railway.build import service_image
from components.targets.railway.plan import HEALTHCHECK_TIMEOUT_SECONDS, ServicePlan, plan


@dataclass(frozen=True)
class RailwayStackArgs:
    settings: Settings
    specs: Sequence[ContainerSpec]
    values: Mapping[str, pulumi.Output[str]]


class RailwayService(pulumi.ComponentResource):
    """One service: image, Railway service, volume, variables, instance settings, optional domain."""

    def __init__(self, name: str, service_plan: ServicePlan, project_id: pulumi.Input[str],
                 environment_id: pulumi.Input[str], args: RailwayStackArgs,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("observability:railway:RailwayService", name, None, opts)
        railway = args.settings.railway
        assert railway is not None
        child = pulumi.ResourceOptions(parent=self)
        spec = service_plan.spec
        self.resource_name, self.service_name = name, service_plan.name
        self.run_to_completion = spec.oneshot  # a job: its deployment is done when its container exits
        password = args.values.get(RAILWAY_REGISTRY_PASSWORD)
        self.image = service_image(f"{name}-image", service_plan, args.settings.stack, railway.image_registry,
                                   railway.registry_username, password, child)
        owner = _owner(args.settings.stack)
        self.service = rw.Service(f"{name}-service", project_id, environment_id, service_plan.name, owner, child)
        # What hangs off the service belongs to the stack exactly when the service does.
        ids = {"project_id": project_id, "environment_id": environment_id, "service_id": self.service.id,
               "service_adopted": self.service.adopted}
        waits: list[pulumi.Resource] = []
        if service_plan.volume:
            waits.append(rw.Volume(f"{name}-volume", {**ids, "name": service_plan.volume.source,
                                                      "mount_path": service_plan.volume.container_path}, child))
        self.variables = rw.Variables(f"{name}-variables", {
            **ids, "owner": owner, "variables": pulumi.Output.secret(
            pulumi.Output.all(**{k: resolve(v, args.values) for k, v in service_plan.variables.items()}))}, child)
        waits.append(self.variables)
        settings = {
            "service_id": self.service.id, "environment_id": environment_id,
            "image": self.image.repo_digest, "start_command": None,  # the image's own ENTRYPOINT/CMD
            "healthcheck_path": spec.http_check.path if spec.http_check else None,
            "healthcheck_timeout": HEALTHCHECK_TIMEOUT_SECONDS,
            "restart_policy": service_plan.restart_policy, "region": railway.region or None,
            "memory_gb": service_plan.memory_gb, "registry_username": railway.registry_username or None,
            "registry_password": password if railway.registry_username else None,
        }
        # After the volume and variables: the first deployment starts with both in place.
        self.instance = rw.ServiceInstance(f"{name}-instance", settings,
                                           pulumi.ResourceOptions(parent=self, depends_on=waits))
        self.ready: list[pulumi.Resource] = [self.instance, *waits]
        self.domain = None
        if spec.browser_entry and spec.http_check:
            self.domain = rw.ServiceDomain(f"{name}-domain", {**ids, "target_port": spec.http_check.port}, child)
            self.ready.append(self.domain)
        # Everything the running service depends on: a change to any of it means a new deployment.
        revision: pulumi.Output[str] = pulumi.Output.all(self.image.repo_digest, self.variables.variables,
                                                         settings).apply(_digest)
        self.revision: pulumi.Output[str] = pulumi.Output.secret(revision)  # type: ignore[arg-type]
        self.register_outputs({"service_id": self.service.id, "image": self.image.repo_digest})


def _owner(stack: str) -> str:
    """Whose stamp the stack writes into Railway (ownership.py): this program and stack."""
    return f"{PROJECT}/{stack}"


def _digest(parts: list) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


class RailwayStack(pulumi.ComponentResource):
    def __init__(self, name: str, args: RailwayStackArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("observability:railway:RailwayStack", name, None, opts)
        railway = args.settings.railway
        assert railway is not None, "RailwayStack needs environment railway"
        child = pulumi.ResourceOptions(parent=self)
        owner = _owner(args.settings.stack)
        self.project = rw.Project(f"{name}-project", railway.project_name, railway.workspace_id, owner, child)
        self.environment = rw.Environment(f"{name}-environment", self.project.id, railway.environment_name, owner,
                                          child)
        prefix = args.settings.image_registry_prefix
        self.services = [
            RailwayService(f"{name}-{spec.service}", plan(spec, spec.image.reference(prefix)), self.project.id,
                           self.environment.id, args, child)
            for spec in args.specs]
        everything = [resource for service in self.services for resource in service.ready]
        # One deployment per service, after every service is configured (references resolve across them).
        self.deployments = [
            rw.Deployment(f"{svc.resource_name}-deploy", {
                "service_id": svc.service.id, "environment_id": self.environment.id,
                "service_name": svc.service_name, "revision": svc.revision,
                "run_to_completion": svc.run_to_completion},
                pulumi.ResourceOptions(parent=self, depends_on=everything))
            for svc in self.services]
        domains = [svc.domain.domain for svc in self.services if svc.domain]
        self.grafana_url = pulumi.Output.concat("https://", domains[0], "/") if domains else None
        self.service_names = [svc.service_name for svc in self.services]
        self.image_digests = {svc.service_name: svc.image.repo_digest for svc in self.services}
        self.register_outputs({"services": self.service_names})
