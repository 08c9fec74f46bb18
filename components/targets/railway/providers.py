"""Pulumi dynamic providers, one per Railway object. Each has a real create/diff/update/delete; a create
first looks the object up by name and adopts it (Railway's creates are not idempotent, and a timed-out
create may have happened); ids are kept in state because dynamic providers cannot `read`.

Pulumi pickles a provider *by module path* into the state (the project is installed in venv/ by
requirements.txt): moving or renaming this module or a class breaks refresh and destroy of existing
stacks. The providers hold no data: the token is read at run time in `configure` (the stack's secret
setting) or from RAILWAY_TOKEN, so neither the state nor the pickled provider can contain it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from pulumi.dynamic import ConfigureRequest, CreateResult, DiffResult, ResourceProvider, UpdateResult

from components.constants import PROJECT
from components.targets.railway import operations as ops
from components.targets.railway.client import RailwayClient, RailwayError, Transport, token_from, urllib_transport

# Fully qualified: the provider process may not know the project's name (pulumi/pulumi#17050).
TOKEN_SETTING = f"{PROJECT}:railwayToken"
DEPLOY_TIMEOUT_SECONDS = 15 * 60
FIRST_POLL_SECONDS, MAX_POLL_SECONDS = 3.0, 30.0
DEPLOY_FAILED = ("FAILED", "CRASHED", "REMOVED", "SKIPPED")
GONE = re.compile(r"not found|does not exist", re.IGNORECASE)


def _edges(connection: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in connection["edges"]]


def _named(nodes: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    return next((node for node in nodes if node["name"] == name), None)


class RailwayProvider(ResourceProvider):
    """Shared plumbing: the client, built per call from the token read at run time."""

    serialize_as_secret_always = True
    REPLACE_ON: tuple[str, ...] = ()
    OUTPUTS: tuple[str, ...] = ("adopted",)  # set by the provider, never by the program: not a change
    # Replacing these would delete the user's data (a created project takes its volumes along): refused.
    KEEPS_DATA_ON: tuple[str, ...] = ()
    # Tests swap these for a fake transport and a fake clock; a deploy leaves them as they are.
    transport: Transport = staticmethod(urllib_transport)  # type: ignore[assignment]
    sleep: Callable[[float], None] = staticmethod(time.sleep)  # type: ignore[assignment]
    # Unix time, not monotonic: the client compares it with Railway's X-RateLimit-Reset.
    clock: Callable[[], float] = staticmethod(time.time)  # type: ignore[assignment]

    def configure(self, req: ConfigureRequest) -> None:
        self._configured_token = req.config.get(TOKEN_SETTING)

    def client(self) -> RailwayClient:
        token = token_from(getattr(self, "_configured_token", None))
        return RailwayClient(token, self.transport, self.sleep, self.clock)

    def remove(self, document: str, variables: dict[str, Any]) -> None:
        """A delete that succeeds when the object is already gone (deleted by hand, or with its service)."""
        try:
            self.client().execute(document, variables)
        except RailwayError as error:
            if not GONE.search(str(error)):
                raise

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        keys = [k for k in news if not k.startswith("__") and k not in self.OUTPUTS and olds.get(k) != news.get(k)]
        replaces = [k for k in keys if k in self.REPLACE_ON]
        losing = [k for k in replaces if k in self.KEEPS_DATA_ON]
        if losing and not olds.get("adopted"):
            kind = type(self).__name__.removesuffix("Provider").lower()
            changes = ", ".join(f"{k} {olds.get(k)!r} → {news.get(k)!r}" for k in losing)
            raise RailwayError(
                f"refusing to replace {kind} {id_} ({changes}): Railway cannot move it, so the change would "
                f"delete it and the data it holds. Set the old value back; to move on purpose, back the data "
                f"up, then `pulumi state delete` the {kind} (the stack then leaves it alone) and run `pulumi up`.")
        return DiffResult(changes=bool(keys), replaces=replaces, delete_before_replace=bool(replaces))

    def keep_adopted(self, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        return {**news, "adopted": bool(olds.get("adopted"))}

    def __getstate__(self) -> dict[str, Any]:
        # Belt and braces: whatever configure stored never travels with a pickled provider.
        return {k: v for k, v in self.__dict__.items() if k != "_configured_token"}


class ProjectProvider(RailwayProvider):
    REPLACE_ON = KEEPS_DATA_ON = ("workspace_id",)

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client()
        found = _named(_edges(client.execute(ops.PROJECTS, {"workspaceId": props.get("workspace_id")})["projects"]),
                       props["name"])
        if found:
            return CreateResult(found["id"], {**props, "adopted": True})
        request = {"name": props["name"], "description": props.get("description")}
        if props.get("workspace_id"):
            request["workspaceId"] = props["workspace_id"]
        created = client.execute(ops.PROJECT_CREATE, {"input": request})["projectCreate"]
        return CreateResult(created["id"], {**props, "adopted": False})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        if olds.get("name") != news["name"]:  # renamed in place: a new project would orphan the volumes
            self.client().execute(ops.PROJECT_RENAME, {"id": id_, "input": {"name": news["name"]}})
        return UpdateResult(self.keep_adopted(olds, news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        if not props.get("adopted"):  # a project the stack found is someone else's: leave it
            self.remove(ops.PROJECT_DELETE, {"id": id_})


class EnvironmentProvider(RailwayProvider):
    REPLACE_ON = KEEPS_DATA_ON = ("project_id",)  # a created environment holds the volumes' instances

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client()
        found = _named(_edges(client.execute(ops.ENVIRONMENTS, {"projectId": props["project_id"]})["environments"]),
                       props["name"])
        if found:
            return CreateResult(found["id"], {**props, "adopted": True})
        created = client.execute(ops.ENVIRONMENT_CREATE, {"input": {
            "projectId": props["project_id"], "name": props["name"], "skipInitialDeploys": True}})
        return CreateResult(created["environmentCreate"]["id"], {**props, "adopted": False})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        if olds.get("name") != news["name"]:
            self.client().execute(ops.ENVIRONMENT_RENAME, {"id": id_, "input": {"name": news["name"]}})
        return UpdateResult(self.keep_adopted(olds, news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        if not props.get("adopted"):
            self.remove(ops.ENVIRONMENT_DELETE, {"id": id_})


class ServiceProvider(RailwayProvider):
    """A service without a source: the image is set by the instance settings, after the volume exists,
    so the first deployment already has its volume and variables (serviceCreate with an image deploys)."""

    REPLACE_ON = ("project_id",)

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client()
        project = client.execute(ops.SERVICES, {"projectId": props["project_id"]})["project"]
        found = _named(_edges(project["services"]), props["name"])
        if found:
            return CreateResult(found["id"], {**props, "adopted": True})
        created = client.execute(ops.SERVICE_CREATE, {"input": {"projectId": props["project_id"],
                                                                "name": props["name"]}})
        return CreateResult(created["serviceCreate"]["id"], {**props, "adopted": False})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        if olds.get("name") != news["name"]:  # in place: the service keeps its volume and deployments
            self.client().execute(ops.SERVICE_RENAME, {"id": id_, "input": {"name": news["name"]}})
        return UpdateResult(self.keep_adopted(olds, news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        if not props.get("adopted"):  # a service the stack found was there before it: leave it
            self.remove(ops.SERVICE_DELETE, {"id": id_})


class ServiceInstanceProvider(RailwayProvider):
    """Per-environment settings (image, start command, health check, restart policy, region, replicas)
    and the memory limit. Both mutations set state, so create and update are the same call."""

    REPLACE_ON = ("service_id", "environment_id")

    def create(self, props: dict[str, Any]) -> CreateResult:
        self._apply(props)
        return CreateResult(f"{props['service_id']}/{props['environment_id']}", dict(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        self._apply(news)
        return UpdateResult(dict(news))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None  # the instance goes with its service (deleted by ServiceProvider)

    def _apply(self, props: dict[str, Any]) -> None:
        client = self.client()
        settings: dict[str, Any] = {
            "source": {"image": props["image"]},
            "startCommand": props.get("start_command") or None,
            "healthcheckPath": props.get("healthcheck_path") or None,
            "healthcheckTimeout": props.get("healthcheck_timeout"),
            "restartPolicyType": props["restart_policy"],
            "numReplicas": 1,  # a service with a volume cannot have replicas
        }
        if props.get("region"):
            settings["region"] = props["region"]
        if props.get("registry_username"):
            settings["registryCredentials"] = {"username": props["registry_username"],
                                               "password": props["registry_password"]}
        client.execute(ops.SERVICE_INSTANCE_UPDATE, {"serviceId": props["service_id"],
                                                     "environmentId": props["environment_id"], "input": settings})
        client.execute(ops.SERVICE_INSTANCE_LIMITS_UPDATE, {"input": {
            "serviceId": props["service_id"], "environmentId": props["environment_id"],
            "memoryGB": props["memory_gb"]}})


class VariablesProvider(RailwayProvider):
    """The service's variables as one collection, owned by the stack. `skipDeploys`: the Deployment
    resource deploys once. Removed keys go in the same single call (`replace`), not one redeploy per key."""

    REPLACE_ON = ("project_id", "environment_id", "service_id")

    def create(self, props: dict[str, Any]) -> CreateResult:
        self._upsert(props, props["variables"], replace=False)
        return CreateResult(f"{props['service_id']}/{props['environment_id']}/variables", dict(props))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        removed = set(olds.get("variables") or {}) - set(news["variables"])
        self._upsert(news, news["variables"], replace=bool(removed))
        return UpdateResult(dict(news))

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        if props.get("service_adopted"):  # the service was there before the stack: so may its variables be
            return
        try:
            self._upsert(props, {}, replace=True)
        except RailwayError as error:  # the service is already gone: so are its variables
            if not GONE.search(str(error)):
                raise

    def _upsert(self, props: dict[str, Any], variables: dict[str, str], replace: bool) -> None:
        self.client().execute(ops.VARIABLES_UPSERT, {"input": {
            "projectId": props["project_id"], "environmentId": props["environment_id"],
            "serviceId": props["service_id"], "variables": variables, "replace": replace, "skipDeploys": True}})


class VolumeProvider(RailwayProvider):
    """One volume per stateful service, found by name (volume names are unique in a project)."""

    REPLACE_ON = KEEPS_DATA_ON = ("project_id", "environment_id")  # a rename is in place

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client()
        volumes = _edges(client.execute(ops.VOLUMES, {"projectId": props["project_id"]})["project"]["volumes"])
        found = _named(volumes, props["name"])
        if found:
            self._attach(client, found["id"], props)
            return CreateResult(found["id"], {**props, "adopted": True})
        created = client.execute(ops.VOLUME_CREATE, {"input": {
            "projectId": props["project_id"], "environmentId": props["environment_id"],
            "serviceId": props["service_id"], "mountPath": props["mount_path"]}})["volumeCreate"]
        client.execute(ops.VOLUME_RENAME, {"volumeId": created["id"], "input": {"name": props["name"]}})
        return CreateResult(created["id"], {**props, "adopted": False})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        client = self.client()
        if olds.get("name") != news["name"]:
            client.execute(ops.VOLUME_RENAME, {"volumeId": id_, "input": {"name": news["name"]}})
        self._attach(client, id_, news)
        return UpdateResult(self.keep_adopted(olds, news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        # Only a volume the stack made (Railway keeps a deleted volume restorable for 48 hours).
        if not props.get("adopted"):
            self.remove(ops.VOLUME_DELETE, {"volumeId": id_})

    @staticmethod
    def _attach(client: RailwayClient, volume_id: str, props: dict[str, Any]) -> None:
        client.execute(ops.VOLUME_INSTANCE_UPDATE, {
            "volumeId": volume_id, "environmentId": props["environment_id"],
            "input": {"serviceId": props["service_id"], "mountPath": props["mount_path"]}})


class ServiceDomainProvider(RailwayProvider):
    """The Railway-generated HTTPS domain (`*.up.railway.app`) of a public service."""

    REPLACE_ON = ("project_id", "environment_id", "service_id")
    OUTPUTS = ("adopted", "domain")

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client()
        existing = client.execute(ops.DOMAINS, {"projectId": props["project_id"],
                                                "environmentId": props["environment_id"],
                                                "serviceId": props["service_id"]})["domains"]["serviceDomains"]
        if existing:
            domain = existing[0]
            if domain.get("targetPort") != props["target_port"]:
                self._retarget(client, domain["id"], domain["domain"], props)
        else:
            domain = client.execute(ops.SERVICE_DOMAIN_CREATE, {"input": {
                "serviceId": props["service_id"], "environmentId": props["environment_id"],
                "targetPort": props["target_port"]}})["serviceDomainCreate"]
        return CreateResult(domain["id"], {**props, "domain": domain["domain"], "adopted": bool(existing)})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        self._retarget(self.client(), id_, olds["domain"], news)
        return UpdateResult({**self.keep_adopted(olds, news), "domain": olds["domain"]})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        if not props.get("adopted"):  # users may have pointed DNS or bookmarks at a domain that was there
            self.remove(ops.SERVICE_DOMAIN_DELETE, {"id": id_})

    @staticmethod
    def _retarget(client: RailwayClient, domain_id: str, domain: str, props: dict[str, Any]) -> None:
        client.execute(ops.SERVICE_DOMAIN_UPDATE, {"input": {
            "serviceDomainId": domain_id, "serviceId": props["service_id"], "environmentId": props["environment_id"],
            "domain": domain, "targetPort": props["target_port"]}})


class DeploymentProvider(RailwayProvider):
    """One deployment of a service once its settings, variables and volume are in place; a new one
    whenever `revision` (a digest of everything the service runs with) changes. Polled with backoff
    until SUCCESS, or a failure naming the status. A one-shot service (`run_to_completion`: a job, restart
    policy NEVER) is SUCCESS as soon as its container starts, so it is polled on until the container has
    exited: EXITED passes, CRASHED (a non-zero exit) fails. Railway's API reports no exit code."""

    REPLACE_ON = ("service_id", "environment_id")
    OUTPUTS = ("deployment_id",)

    def create(self, props: dict[str, Any]) -> CreateResult:
        deployment_id = self._deploy(props)
        return CreateResult(deployment_id, {**props, "deployment_id": deployment_id})

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult({**news, "deployment_id": self._deploy(news)})

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None  # a deployment is history; the running one goes with its service

    def _deploy(self, props: dict[str, Any]) -> str:
        client = self.client()
        deployment_id = client.execute(ops.DEPLOY, {"serviceId": props["service_id"],
                                                    "environmentId": props["environment_id"]})[
            "serviceInstanceDeployV2"]
        which = f"deployment {deployment_id} of service {props['service_name']}"
        timeout = props.get("timeout_seconds", DEPLOY_TIMEOUT_SECONDS)
        deadline = self.clock() + timeout
        delay = FIRST_POLL_SECONDS
        while True:
            deployment = client.execute(ops.DEPLOYMENT, {"id": deployment_id})["deployment"]
            status = deployment["status"]
            if status == "SUCCESS" and not props.get("run_to_completion"):
                return deployment_id
            if status == "SUCCESS" and _finished(which, deployment):
                return deployment_id
            _refuse_waiting_for_nothing(which, status)
            if self.clock() + delay > deadline:
                running = " (started, not yet exited)" if status == "SUCCESS" else ""
                raise RailwayError(f"{which} still {status}{running} after {timeout} s")
            self.sleep(delay)
            delay = min(delay * 2, MAX_POLL_SECONDS)


def _refuse_waiting_for_nothing(which: str, status: str) -> None:
    """States that no amount of polling changes: failures, and states waiting on a person or a request."""
    if status in DEPLOY_FAILED:
        raise RailwayError(f"{which} ended {status}: see its logs in the Railway dashboard "
                           "(Deployments → View logs)")
    if status == "NEEDS_APPROVAL":
        raise RailwayError(f"{which} waits for approval (NEEDS_APPROVAL): a member of the Railway workspace must "
                           "approve it in the dashboard (the service → Deployments → Approve); once it is "
                           "running, run `pulumi up` again to record it")
    if status == "SLEEPING":
        raise RailwayError(f"{which} is SLEEPING: App Sleeping (serverless) is on for this service, so it only "
                           "wakes on traffic. Turn it off in the service's settings (an observability backend "
                           "must keep running) and run `pulumi up` again")


def _finished(which: str, deployment: dict[str, Any]) -> bool:
    """A one-shot deployment's outcome from its instances: True once every one EXITED, an error if any
    CRASHED or was stopped before it finished, False while any still runs."""
    states = [instance["status"] for instance in deployment.get("instances") or []]
    if "CRASHED" in states:
        raise RailwayError(f"{which} exited with an error (instance CRASHED): see its logs in the Railway "
                           "dashboard (Deployments → View logs)")
    stopped = [state for state in states if state in ("STOPPED", "REMOVED", "SKIPPED")]
    if stopped:
        raise RailwayError(f"{which} was {stopped[0]} before it finished")
    if states and all(state == "EXITED" for state in states):
        return True
    if deployment.get("deploymentStopped"):  # stopped, yet no instance says how: never guess success
        raise RailwayError(f"{which} has stopped but Railway reports no instance outcome: check its logs "
                           "(Deployments → View logs) before relying on it")
    return False
