"""Deploying one service and following its deployment: polled with growing waits (within Railway's hourly
request budget) until SUCCESS, failing at once on a final state or one that waits on a person. A one-shot
job is followed past SUCCESS until its container has exited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from components.targets.railway import operations as ops
from components.targets.railway.client import RailwayClient, RailwayError

DEPLOY_TIMEOUT_SECONDS = 15 * 60
FIRST_POLL_SECONDS, MAX_POLL_SECONDS = 3.0, 30.0
DEPLOY_FAILED = ("FAILED", "CRASHED", "REMOVED", "SKIPPED")


def deploy(client: RailwayClient, props: dict[str, Any], sleep: Callable[[float], None],
           clock: Callable[[], float]) -> str:
    """A new deployment of the service (never sent twice: it is not idempotent), once it has succeeded.
    Each poll is a query, so the client retries a lost one."""
    deployment_id = client.execute(ops.DEPLOY, {"serviceId": props["service_id"],
                                                "environmentId": props["environment_id"]})[
        "serviceInstanceDeployV2"]
    which = f"deployment {deployment_id} of service {props['service_name']}"
    timeout = props.get("timeout_seconds", DEPLOY_TIMEOUT_SECONDS)
    deadline = clock() + timeout
    delay = FIRST_POLL_SECONDS
    while True:
        deployment = client.execute(ops.DEPLOYMENT, {"id": deployment_id})["deployment"]
        status = deployment["status"]
        if status == "SUCCESS" and not props.get("run_to_completion"):
            return deployment_id
        if status == "SUCCESS" and _finished(which, deployment):
            return deployment_id
        _refuse_waiting_for_nothing(which, status)
        if clock() + delay > deadline:
            running = " (started, not yet exited)" if status == "SUCCESS" else ""
            raise RailwayError(f"{which} still {status}{running} after {timeout} s")
        sleep(delay)
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
