"""Pulumi dynamic providers, one per Railway object, each with create/diff/update/delete and `read`
(`pulumi refresh` sees an object renamed, changed or deleted by hand). A create first looks the object up
(Railway's creates are not idempotent, and a create whose answer was lost may have happened): found with
this stack's stamp it is the stack's own, found without it is adopted and never deleted (ownership.py).

Pulumi pickles a provider *by module path* into the state (the project is installed in venv/ by
requirements.txt): moving or renaming this module or a class breaks refresh and destroy of existing
stacks (the providers of what hangs off a service live in attached.py and are re-exported here). The
providers hold no data: the token is read at run time in `configure` (the stack's secret setting) or
from RAILWAY_TOKEN, so neither the state nor the pickled provider can contain it.
"""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import CreateResult, ReadResult, UpdateResult

from components.targets.railway import operations as ops
from components.targets.railway.attached import DeploymentProvider, ServiceDomainProvider, VolumeProvider
from components.targets.railway.base import GONE, RailwayProvider, edges, gone, named
from components.targets.railway.client import RailwayError
from components.targets.railway.ownership import (MARKER, create_or_find, has_marker, read_variables, stamp,
                                                   stamped_description, write_marker)

# Stacks deployed before VolumeProvider, ServiceDomainProvider and DeploymentProvider moved to attached.py
# pickled them as providers.<class>: the names must still resolve here.
__all__ = ["DeploymentProvider", "EnvironmentProvider", "ProjectProvider", "ServiceDomainProvider",
           "ServiceInstanceProvider", "ServiceProvider", "VariablesProvider", "VolumeProvider"]


class ProjectProvider(RailwayProvider):
    REPLACE_ON = KEEPS_DATA_ON = ("workspace_id",)

    def create(self, props: dict[str, Any]) -> CreateResult:
        client, owner = self.client(), props["owner"]

        def find() -> dict[str, Any] | None:
            return named(edges(client.execute(ops.PROJECTS, {"workspaceId": props.get("workspace_id")})[
                "projects"]), props["name"])

        found = find()
        if found:  # ours if it carries this stack's stamp (a lost create), else someone else's
            ours = stamp(owner) in (found.get("description") or "")
            return CreateResult(found["id"], {**props, "adopted": not ours})
        request = {"name": props["name"], "description": stamped_description(props["description"], owner)}
        if props.get("workspace_id"):
            request["workspaceId"] = props["workspace_id"]
        created = create_or_find(lambda: client.execute(ops.PROJECT_CREATE, {"input": request})["projectCreate"],
                                 find, f"project {props['name']}")
        return CreateResult(created["id"], {**props, "adopted": False})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        change: dict[str, Any] = {}
        if olds.get("name") != news["name"]:  # renamed in place: a new project would orphan the volumes
            change["name"] = news["name"]
        if not olds.get("adopted") and (olds.get("owner"), olds.get("description")) != (news["owner"],
                                                                                         news["description"]):
            change["description"] = stamped_description(news["description"], news["owner"])  # stamp a made one
        if change:
            self.client().execute(ops.PROJECT_RENAME, {"id": id_, "input": change})
        return UpdateResult(self.keep_adopted(olds, news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        live = self.live(ops.PROJECT, {"id": id_}, "project")
        return ReadResult(id_, {**props, "name": live["name"]}) if live else gone()

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        if not props.get("adopted"):  # a project the stack found is someone else's: leave it
            self.remove(ops.PROJECT_DELETE, {"id": id_})


class EnvironmentProvider(RailwayProvider):
    """Stamped by a shared variable right after `environmentCreate` (its input has no free-text field); a
    lost answer is reconciled in the same call by looking the name up again. A project's first environment
    comes with the project: found unstamped, it is adopted, and goes when the stack's project goes."""

    REPLACE_ON = KEEPS_DATA_ON = ("project_id",)  # a created environment holds the volumes' instances

    def create(self, props: dict[str, Any]) -> CreateResult:
        client, project_id, owner = self.client(), props["project_id"], props["owner"]

        def find() -> dict[str, Any] | None:
            return named(edges(client.execute(ops.ENVIRONMENTS, {"projectId": project_id})["environments"]),
                          props["name"])

        found = find()
        if found:
            ours = has_marker(client, project_id, found["id"], owner)
            return CreateResult(found["id"], {**props, "adopted": not ours})
        created = create_or_find(lambda: client.execute(ops.ENVIRONMENT_CREATE, {"input": {
            "projectId": project_id, "name": props["name"], "skipInitialDeploys": True}})["environmentCreate"],
            find, f"environment {props['name']}")
        write_marker(client, project_id, created["id"], owner)  # at once: nothing else can be there yet
        return CreateResult(created["id"], {**props, "adopted": False})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        client = self.client()
        if olds.get("name") != news["name"]:
            client.execute(ops.ENVIRONMENT_RENAME, {"id": id_, "input": {"name": news["name"]}})
        if not olds.get("adopted") and olds.get("owner") != news["owner"]:  # made before stamps existed
            write_marker(client, news["project_id"], id_, news["owner"])
        return UpdateResult(self.keep_adopted(olds, news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        live = self.live(ops.ENVIRONMENT, {"id": id_}, "environment")
        return ReadResult(id_, {**props, "name": live["name"]}) if live else gone()

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        if not props.get("adopted"):
            self.remove(ops.ENVIRONMENT_DELETE, {"id": id_})


class ServiceProvider(RailwayProvider):
    """A service without a source: the image is set by the instance settings, after the volume exists,
    so the first deployment already has its volume and variables (serviceCreate with an image deploys).
    Created with the MARKER variable in the stack's environment: a found service is the stack's when its
    MARKER holds this stack's stamp (its create's answer was lost), else it was there before (adopted)."""

    REPLACE_ON = ("project_id",)

    def create(self, props: dict[str, Any]) -> CreateResult:
        client, project_id, environment_id = self.client(), props["project_id"], props["environment_id"]

        def find() -> dict[str, Any] | None:
            return named(edges(client.execute(ops.SERVICES, {"projectId": project_id})["project"]["services"]),
                          props["name"])

        found = find()
        if found:
            ours = has_marker(client, project_id, environment_id, props["owner"], found["id"])
            return CreateResult(found["id"], {**props, "adopted": not ours})
        created = create_or_find(lambda: client.execute(ops.SERVICE_CREATE, {"input": {
            "projectId": project_id, "environmentId": environment_id, "name": props["name"],
            "variables": {MARKER: stamp(props["owner"])}}})["serviceCreate"], find, f"service {props['name']}")
        return CreateResult(created["id"], {**props, "adopted": False})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        if olds.get("name") != news["name"]:  # in place: the service keeps its volume and deployments
            self.client().execute(ops.SERVICE_RENAME, {"id": id_, "input": {"name": news["name"]}})
        return UpdateResult(self.keep_adopted(olds, news))  # the stamp is kept by VariablesProvider

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        live = self.live(ops.SERVICE, {"id": id_}, "service")
        return ReadResult(id_, {**props, "name": live["name"]}) if live else gone()

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        if not props.get("adopted"):  # a service the stack found was there before it: leave it
            self.remove(ops.SERVICE_DELETE, {"id": id_})


class ServiceInstanceProvider(RailwayProvider):
    """Per-environment settings (image, start command, health check, restart policy, region, replicas)
    and the memory limit. Both mutations set state, so create and update are the same call."""

    REPLACE_ON = ("service_id", "environment_id")
    # Each setting as Railway reports it; region and health-check timeout only when the stack sets them and
    # Railway reports one (Railway fills in its defaults, which are not a change).
    LIVE = (("image", "source.image"), ("start_command", "startCommand"), ("healthcheck_path", "healthcheckPath"),
            ("restart_policy", "restartPolicyType"), ("region", "region"),
            ("healthcheck_timeout", "healthcheckTimeout"))

    def create(self, props: dict[str, Any]) -> CreateResult:
        self._apply(props)
        return CreateResult(f"{props['service_id']}/{props['environment_id']}", dict(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        self._apply(news)
        return UpdateResult(dict(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        live = self.live(ops.SERVICE_INSTANCE, {"serviceId": props["service_id"],
                                                "environmentId": props["environment_id"]}, "serviceInstance")
        if not live:
            return gone()
        outs = dict(props)
        for key, path in self.LIVE:
            value = (live.get("source") or {}).get("image") if path == "source.image" else live.get(path)
            if key not in ("region", "healthcheck_timeout") or None not in (props.get(key), value):
                outs[key] = value
        return ReadResult(id_, outs)

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
    resource deploys once. Removed keys go in the same single call (`replace`), not one redeploy per key.
    For a service the stack made, the collection always holds its MARKER (a `replace` would drop it)."""

    REPLACE_ON = ("project_id", "environment_id", "service_id")

    def create(self, props: dict[str, Any]) -> CreateResult:
        self._upsert(props, props["variables"], replace=False)
        return CreateResult(f"{props['service_id']}/{props['environment_id']}/variables", dict(props))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        removed = set(olds.get("variables") or {}) - set(news["variables"])
        self._upsert(news, news["variables"], replace=bool(removed))
        return UpdateResult(dict(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """The stack's keys as Railway holds them: a key changed or deleted by hand shows (keys added by
        hand are not the stack's and are left out)."""
        try:
            live = read_variables(self.client(), props["project_id"], props["environment_id"], props["service_id"])
        except RailwayError as error:
            if GONE.search(str(error)):
                return gone()
            raise
        declared = props.get("variables") or {}
        return ReadResult(id_, {**props, "variables": {k: live[k] for k in declared if k in live}})

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        if props.get("service_adopted"):  # the service was there before the stack: so may its variables be
            return
        try:
            self._upsert(props, {}, replace=True)
        except RailwayError as error:  # the service is already gone: so are its variables
            if not GONE.search(str(error)):
                raise

    def _upsert(self, props: dict[str, Any], declared: dict[str, str], replace: bool) -> None:
        collection = dict(declared)
        if props.get("owner") and not props.get("service_adopted"):
            collection[MARKER] = stamp(props["owner"])
        self.client().execute(ops.VARIABLES_UPSERT, {"input": {
            "projectId": props["project_id"], "environmentId": props["environment_id"],
            "serviceId": props["service_id"], "variables": collection, "replace": replace, "skipDeploys": True}})
