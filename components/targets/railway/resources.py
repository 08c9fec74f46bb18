"""The Railway objects as Pulumi resources (dynamic: see providers.py). Inputs carry ids and settings,
never the API token; secret inputs (variable values, registry password) stay secret in the outputs."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import Resource

from components.targets.railway import providers as p


def _opts(opts: pulumi.ResourceOptions | None, *secret_outputs: str) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=list(secret_outputs)))


class Project(Resource):
    """A Railway project, created (in `workspace_id` when given) with `owner`'s stamp in its description,
    or adopted by name (see ownership.py). `owner` is `<Pulumi project>/<stack>`."""

    adopted: pulumi.Output[bool]

    def __init__(self, name: str, project_name: str, workspace_id: str, owner: str,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__(p.ProjectProvider(), name, {
            "name": project_name, "workspace_id": workspace_id or None, "owner": owner,
            "description": "ADR-031 observability stack (managed by Pulumi)", "adopted": None}, opts)


class Environment(Resource):
    adopted: pulumi.Output[bool]

    def __init__(self, name: str, project_id: pulumi.Input[str], environment_name: str, owner: str,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__(p.EnvironmentProvider(), name, {"project_id": project_id, "name": environment_name,
                                                          "owner": owner, "adopted": None}, opts)


class Service(Resource):
    adopted: pulumi.Output[bool]

    def __init__(self, name: str, project_id: pulumi.Input[str], environment_id: pulumi.Input[str],
                 service_name: str, owner: str, opts: pulumi.ResourceOptions | None = None):
        super().__init__(p.ServiceProvider(), name, {"project_id": project_id, "environment_id": environment_id,
                                                      "name": service_name, "owner": owner, "adopted": None}, opts)


class ServiceInstance(Resource):
    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None):
        super().__init__(p.ServiceInstanceProvider(), name, props, _opts(opts, "registry_password"))


class Variables(Resource):
    variables: pulumi.Output[dict[str, str]]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None):
        super().__init__(p.VariablesProvider(), name, props, _opts(opts, "variables"))


class Volume(Resource):
    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None):
        super().__init__(p.VolumeProvider(), name, {**props, "adopted": None}, opts)


class ServiceDomain(Resource):
    domain: pulumi.Output[str]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None):
        super().__init__(p.ServiceDomainProvider(), name, {**props, "domain": None, "adopted": None}, opts)


class Deployment(Resource):
    deployment_id: pulumi.Output[str]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None):
        super().__init__(p.DeploymentProvider(), name, {**props, "deployment_id": None, "status": None},
                         _opts(opts, "revision"))
