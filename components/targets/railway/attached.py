"""The providers of what hangs off a service: its volume, its domain, its deployments. Each belongs to
the stack exactly when its service does (`service_adopted`)."""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import CreateResult, DiffResult, ReadResult, UpdateResult

from components.targets.railway import operations as ops
from components.targets.railway.base import GONE, RailwayProvider, edges, gone, named
from components.targets.railway.client import RailwayClient, RailwayError
from components.targets.railway.deployments import DEPLOY_FAILED, deploy
from components.targets.railway.ownership import create_or_find


class VolumeProvider(RailwayProvider):
    """One volume per stateful service, found by what identifies it: the service and mount path in the
    environment (a create whose answer was lost, or whose rename failed, left a volume without its final
    name), else by its name. It is the stack's when its service is (`service_adopted` false)."""

    REPLACE_ON = KEEPS_DATA_ON = ("project_id", "environment_id")  # a rename is in place
    OUTPUTS = ("adopted", "service_adopted")  # fixed when the service was made: never a change

    def create(self, props: dict[str, Any]) -> CreateResult:
        client, ours = self.client(), props.get("service_adopted") is False
        found = self._find(client, props)
        if found:
            volume, mounted = found
            if not mounted:  # found by name elsewhere: mount it on the service
                self._attach(client, volume["id"], props)
            if volume["name"] != props["name"]:  # the rename a failed create left undone
                client.execute(ops.VOLUME_RENAME, {"volumeId": volume["id"], "input": {"name": props["name"]}})
            return CreateResult(volume["id"], {**props, "adopted": not (ours and mounted)})
        created = create_or_find(lambda: client.execute(ops.VOLUME_CREATE, {"input": {
            "projectId": props["project_id"], "environmentId": props["environment_id"],
            "serviceId": props["service_id"], "mountPath": props["mount_path"]}})["volumeCreate"],
            lambda: self._mounted(client, props), f"the volume at {props['mount_path']}")
        client.execute(ops.VOLUME_RENAME, {"volumeId": created["id"], "input": {"name": props["name"]}})
        return CreateResult(created["id"], {**props, "adopted": False})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        client = self.client()
        if olds.get("name") != news["name"]:
            client.execute(ops.VOLUME_RENAME, {"volumeId": id_, "input": {"name": news["name"]}})
        self._attach(client, id_, news)
        return UpdateResult(self.keep_adopted(olds, news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        project = self.live(ops.VOLUMES, {"projectId": props["project_id"]}, "project")
        volume = next((v for v in edges(project["volumes"]) if v["id"] == id_), None) if project else None
        if not volume:
            return gone()
        here = next((i for i in edges(volume["volumeInstances"]) if i["environmentId"] == props["environment_id"]),
                    None)  # none: detached by hand, so the next `up` mounts it again
        return ReadResult(id_, {**props, "name": volume["name"], "service_id": here and here["serviceId"],
                                "mount_path": here and here["mountPath"]})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        # Only a volume the stack made (Railway keeps a deleted volume restorable for 48 hours).
        if not props.get("adopted"):
            self.remove(ops.VOLUME_DELETE, {"volumeId": id_})

    @staticmethod
    def _find(client: RailwayClient, props: dict[str, Any]) -> tuple[dict[str, Any], bool] | None:
        """The volume and whether it is mounted at the service's mount path in the environment."""
        volumes = edges(client.execute(ops.VOLUMES, {"projectId": props["project_id"]})["project"]["volumes"])
        for volume in volumes:
            for instance in edges(volume["volumeInstances"]):
                if (instance["environmentId"], instance["serviceId"], instance["mountPath"]) == (
                        props["environment_id"], props["service_id"], props["mount_path"]):
                    return volume, True
        by_name = named(volumes, props["name"])
        return (by_name, False) if by_name else None

    @classmethod
    def _mounted(cls, client: RailwayClient, props: dict[str, Any]) -> dict[str, Any] | None:
        found = cls._find(client, props)
        return found[0] if found and found[1] else None

    @staticmethod
    def _attach(client: RailwayClient, volume_id: str, props: dict[str, Any]) -> None:
        client.execute(ops.VOLUME_INSTANCE_UPDATE, {
            "volumeId": volume_id, "environmentId": props["environment_id"],
            "input": {"serviceId": props["service_id"], "mountPath": props["mount_path"]}})


class ServiceDomainProvider(RailwayProvider):
    """The Railway-generated HTTPS domain (`*.up.railway.app`) of a public service; the stack's when its
    service is (a domain on a service the stack made is found, not made twice, after a lost answer)."""

    REPLACE_ON = ("project_id", "environment_id", "service_id")
    OUTPUTS = ("adopted", "domain", "service_adopted")

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client()
        existing = self._domains(client, props)
        if existing:
            domain = existing[0]
            if domain.get("targetPort") != props["target_port"]:
                self._retarget(client, domain["id"], domain["domain"], props)
        else:
            domain = create_or_find(lambda: client.execute(ops.SERVICE_DOMAIN_CREATE, {"input": {
                "serviceId": props["service_id"], "environmentId": props["environment_id"],
                "targetPort": props["target_port"]}})["serviceDomainCreate"],
                lambda: next(iter(self._domains(client, props)), None), "the service's domain")
        adopted = bool(existing) and props.get("service_adopted") is not False
        return CreateResult(domain["id"], {**props, "domain": domain["domain"], "adopted": adopted})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        self._retarget(self.client(), id_, olds["domain"], news)
        return UpdateResult({**self.keep_adopted(olds, news), "domain": olds["domain"]})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        try:
            domains = self._domains(self.client(), props)
        except RailwayError as error:
            if GONE.search(str(error)):
                return gone()
            raise
        domain = next((d for d in domains if d["id"] == id_), None)
        if not domain:
            return gone()
        return ReadResult(id_, {**props, "domain": domain["domain"], "target_port": domain.get("targetPort")})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        if not props.get("adopted"):  # users may have pointed DNS or bookmarks at a domain that was there
            self.remove(ops.SERVICE_DOMAIN_DELETE, {"id": id_})

    @staticmethod
    def _domains(client: RailwayClient, props: dict[str, Any]) -> list[dict[str, Any]]:
        return client.execute(ops.DOMAINS, {"projectId": props["project_id"], "environmentId": props["environment_id"],
                                            "serviceId": props["service_id"]})["domains"]["serviceDomains"]

    @staticmethod
    def _retarget(client: RailwayClient, domain_id: str, domain: str, props: dict[str, Any]) -> None:
        client.execute(ops.SERVICE_DOMAIN_UPDATE, {"input": {
            "serviceDomainId": domain_id, "serviceId": props["service_id"], "environmentId": props["environment_id"],
            "domain": domain, "targetPort": props["target_port"]}})


class DeploymentProvider(RailwayProvider):
    """One deployment of a service once its settings, variables and volume are in place; a new one
    whenever `revision` (a digest of everything the service runs with) changes, or when a refresh found
    it no longer running (removed, replaced by hand, crashed). Polled with backoff until SUCCESS, or a
    failure naming the status; a lost poll is retried by the client, the deploy itself never (it is not
    idempotent). A one-shot service (`run_to_completion`: a job, restart policy NEVER) is SUCCESS as soon
    as its container starts, so it is polled on until the container has exited: EXITED passes, CRASHED (a
    non-zero exit) fails. Railway's API reports no exit code."""

    REPLACE_ON = ("service_id", "environment_id")
    OUTPUTS = ("deployment_id", "status")

    def create(self, props: dict[str, Any]) -> CreateResult:
        deployment_id = self._deploy(props)
        return CreateResult(deployment_id, {**props, "deployment_id": deployment_id, "status": "SUCCESS"})

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        result = super().diff(id_, olds, news)
        # Seen by refresh: the service no longer runs this deployment. A one-shot job's finished deployment
        # is not redeployed for that: it ran, and runs again only when its revision changes.
        if olds.get("status") in DEPLOY_FAILED and not news.get("run_to_completion"):
            result.changes = True
        return result

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult({**news, "deployment_id": self._deploy(news), "status": "SUCCESS"})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        live = self.live(ops.DEPLOYMENT, {"id": props.get("deployment_id") or id_}, "deployment")
        return ReadResult(id_, {**props, "status": live["status"]}) if live else gone()

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None  # a deployment is history; the running one goes with its service

    def _deploy(self, props: dict[str, Any]) -> str:
        return deploy(self.client(), props, self.sleep, self.clock)
