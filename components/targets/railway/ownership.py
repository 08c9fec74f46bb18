"""How a provider tells an object this stack created from one that was there before: by a stamp the
stack wrote into Railway, read back, never by whether the create's answer arrived (a 504 can lose it).

- project: the stamp inside its `description` (set by `projectCreate` itself);
- service: the variable MARKER in its environment (set by `serviceCreate`'s `variables`);
- environment: the shared variable MARKER (written right after `environmentCreate`: its input holds no
  free text, so a lost answer is also reconciled in the same call by looking the name up again);
- volume and domain: owned with their service (one volume per service, found by service and mount path).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from components.targets.railway import operations as ops
from components.targets.railway.client import RailwayClient, RailwayError, TransportError

MARKER = "OBSERVABILITY_MANAGED_BY"
Found = TypeVar("Found")


def stamp(owner: str) -> str:
    """What the stack writes: `pulumi:<project>/<stack>`, so two stacks of one program never claim each
    other's objects."""
    return f"pulumi:{owner}"


def stamped_description(description: str, owner: str) -> str:
    return f"{description} [{stamp(owner)}]"


def read_variables(client: RailwayClient, project_id: str, environment_id: str,
              service_id: str | None = None) -> dict[str, str]:
    """The service's variables (or the environment's shared ones), unrendered: `${{…}}` stays as written."""
    return client.execute(ops.VARIABLES, {"projectId": project_id, "environmentId": environment_id,
                                          "serviceId": service_id})["variables"] or {}


def write_marker(client: RailwayClient, project_id: str, environment_id: str, owner: str,
                 service_id: str | None = None) -> None:
    """MARKER beside the other variables (not `replace`), without a deploy."""
    request: dict[str, Any] = {"projectId": project_id, "environmentId": environment_id,
                               "variables": {MARKER: stamp(owner)}, "replace": False, "skipDeploys": True}
    if service_id:
        request["serviceId"] = service_id
    client.execute(ops.VARIABLES_UPSERT, {"input": request})


def has_marker(client: RailwayClient, project_id: str, environment_id: str, owner: str,
               service_id: str | None = None) -> bool:
    return read_variables(client, project_id, environment_id, service_id).get(MARKER) == stamp(owner)


def create_or_find(create: Callable[[], Found], find: Callable[[], Found | None], what: str) -> Found:
    """`create()`; when its answer is lost (it may have happened), `find()` what it made before failing."""
    try:
        return create()
    except TransportError as lost:
        try:
            found = find()
        except RailwayError as unreachable:
            raise TransportError(f"{lost}. Looking for {what} afterwards failed too: {unreachable}") from lost
        if found is None:
            raise TransportError(f"{lost} ({what} not found afterwards: it was not made)") from lost
        return found
