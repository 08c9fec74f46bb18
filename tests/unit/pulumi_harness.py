"""Runs the real program (`__main__.py`) under Pulumi's unit-test mocks, once per stack configuration.

Config is fed the way the engine feeds it: `Pulumi.<stack>.yaml` plus the schema defaults, every value
a string (arrays JSON-encoded), `secure:` values replaced by test plaintext and marked secret. The
monitor also keeps each resource's inputs with their secret markers, so tests can prove a value was
registered as a secret.
"""

from __future__ import annotations

import json
import runpy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc

from components import constants as c
from components.settings import Settings, load_schema, parse
from components.settings.sources import project_values
from components.settings.stackfile import read_stack_config

ROOT = Path(__file__).resolve().parents[2]
TEST_SECRET = "test-secret-value-0123456789-abcdefghijklmnop"
_SECRET_SIG = rpc._special_secret_sig  # the wire marker of a secret value
AUTO_NAME_SUFFIX = "-0a1b2c3d"  # what the mock provider appends to an auto-named Kubernetes object's name


@dataclass
class Registered:
    typ: str
    name: str
    inputs: dict
    secret_paths: set[str]
    provider: str | None
    dependencies: list[str] = field(default_factory=list)  # URNs it waits for (depends_on and inputs)
    retain_on_delete: bool = False
    unknown_paths: set[str] = field(default_factory=set)  # inputs not known yet (preview)
    ignore_changes: list[str] = field(default_factory=list)  # property paths a deploy leaves as they are
    delete_before_replace: bool = False


@dataclass
class Program:
    resources: list[Registered]
    globals: dict[str, Any]
    invokes: list[pulumi_mocks.MockCallArgs] = field(default_factory=list)

    def of_type(self, typ: str) -> list[Registered]:
        return [r for r in self.resources if r.typ == typ]

    def containers(self) -> dict[str, Registered]:
        return {r.inputs["name"]: r for r in self.of_type("docker:index/container:Container")}

    def named(self, name: str) -> Registered:
        (found,) = [r for r in self.resources if r.name == name]
        return found

    def one(self, typ: str) -> Registered:
        found = self.of_type(typ)
        assert len(found) == 1, f"expected one {typ}, found {len(found)}"
        return found[0]


def _secret_paths(value: Any, path: str = "") -> set[str]:
    """Dotted paths of the values that travel as secrets in a resource registration."""
    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == _SECRET_SIG:
            return {path}
        return set().union(*(_secret_paths(v, f"{path}.{k}" if path else k) for k, v in value.items())) \
            if value else set()
    if isinstance(value, list):
        return set().union(*(_secret_paths(v, f"{path}[{i}]") for i, v in enumerate(value))) if value else set()
    return set()


class RecordingMocks(pulumi.runtime.Mocks):
    """Echoes inputs back as state, plus the computed outputs the program reads."""

    def __init__(self) -> None:
        self.invokes: list[pulumi_mocks.MockCallArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        state = dict(args.inputs)
        if args.typ == "docker:index/remoteImage:RemoteImage":
            state |= {"imageId": "sha256:" + "1" * 64, "repoDigest": args.inputs["name"]}
        if args.typ == "random:index/randomPassword:RandomPassword":
            state["result"] = f"generated-{args.name}-" + "x" * int(args.inputs.get("length", 16))
        if args.typ.startswith("tls:index/"):
            state |= {"privateKeyPem": "-----TEST KEY-----", "certPem": "-----TEST CERT-----"}
        return f"{args.name}-id", state | _computed_outputs(args.typ, args.name, args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs):
        self.invokes.append(args)
        if args.token == "docker:index/getNetwork:getNetwork":
            return {"name": args.args["name"], "id": f"{args.args['name']}-id", "driver": "bridge"}
        return MOCK_INVOKES.get(args.token, lambda a: {})(args.args)


SUBSCRIPTION = "/subscriptions/00000000-0000-0000-0000-000000000000"


def arm_id(group: str, kind: str, name: str) -> str:
    return f"{SUBSCRIPTION}/resourceGroups/{group}/providers/{kind}/{name}"


# What Azure answers for the existing resources azure-dev looks up.
AZURE_INVOKES = {
    "azure-native:resources:getResourceGroup": lambda a: {
        "name": a["resourceGroupName"], "location": "eastus",
        "id": f"{SUBSCRIPTION}/resourceGroups/{a['resourceGroupName']}"},
    "azure-native:compute:getVirtualMachine": lambda a: {
        "name": a["vmName"], "id": arm_id(a["resourceGroupName"], "Microsoft.Compute/virtualMachines", a["vmName"])},
    "azure-native:network:getNetworkSecurityGroup": lambda a: {
        "name": a["networkSecurityGroupName"], "securityRules": [],
        "id": arm_id(a["resourceGroupName"], "Microsoft.Network/networkSecurityGroups",
                      a["networkSecurityGroupName"])},
    "azure-native:keyvault:getVault": lambda a: {
        "name": a["vaultName"], "id": arm_id(a["resourceGroupName"], "Microsoft.KeyVault/vaults", a["vaultName"]),
        "properties": {"vaultUri": f"https://{a['vaultName']}.vault.azure.net/", "tenantId": "tenant",
                       "sku": {"family": "A", "name": "standard"}}},
    "azure-native:containerregistry:getRegistry": lambda a: {
        "name": a["registryName"], "loginServer": f"{a['registryName'].lower()}.azurecr.io",
        "id": arm_id(a["resourceGroupName"], "Microsoft.ContainerRegistry/registries", a["registryName"])},
}


def _computed_outputs(typ: str, name: str, inputs: dict) -> dict:
    """Outputs only the cloud computes: the token password, a created registry's login server, and a
    generated password that changes with its rotation keeper (as a replacement by the engine would)."""
    if typ == "pulumi-python:dynamic:Resource" and "target_port" in inputs:  # a Railway service domain
        return {"domain": "grafana-production.up.railway.app"}
    if typ == "pulumi-python:dynamic:Resource":
        return {"password": f"token-password-{inputs.get('rotation')}"}
    if typ == "docker:index/image:Image":  # built and pushed: the registry answers with its digest
        return {"repoDigest": inputs["imageName"].rsplit(":", 1)[0] + "@sha256:" + "2" * 64}
    if typ == "azure-native:containerregistry:CredentialSet":
        return {"identity": {**inputs.get("identity", {}), "principalId": f"principal-of-{name}"}}
    if typ == "azure-native:containerregistry:Registry":
        return {"loginServer": f"{inputs['registryName'].lower()}.azurecr.io"}
    if typ.startswith("kubernetes:") and "name" not in (inputs.get("metadata") or {"name": None}):
        # pulumi-kubernetes auto-names an object without metadata.name: <resource name>-<random suffix>.
        return {"metadata": {**inputs["metadata"], "name": f"{name}{AUTO_NAME_SUFFIX}"}}
    if typ == "random:index/randomPassword:RandomPassword" and inputs.get("keepers"):
        return {"result": f"generated-{name}-{inputs['keepers']['rotation']}-" + "x" * int(inputs["length"])}
    return {}

MOCK_INVOKES: dict[str, Any] = dict(AZURE_INVOKES)  # token -> fn(args) -> result


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """Keeps the secret markers that MockResourceArgs.inputs drops."""

    def __init__(self, mocks: RecordingMocks) -> None:
        super().__init__(mocks)
        self.registered: list[Registered] = []

    def RegisterResource(self, request):
        result = super().RegisterResource(request)
        if request.custom:
            inputs = rpc.deserialize_properties(request.object)
            self.registered.append(Registered(request.type, request.name, _unwrap(inputs),
                                              _secret_paths(_raw_struct(request.object)), request.provider,
                                              list(request.dependencies), bool(request.retainOnDelete),
                                              _unknown_paths(_raw_struct(request.object)),
                                              list(request.ignoreChanges), bool(request.deleteBeforeReplace)))
        return result


def _unknown_paths(value: Any, path: str = "") -> set[str]:
    """Dotted paths of the values registered as unknown (computed later by the engine)."""
    if value == rpc.UNKNOWN:
        return {path}
    if isinstance(value, dict):
        return set().union(*(_unknown_paths(v, f"{path}.{k}" if path else k) for k, v in value.items()))
    if isinstance(value, list):
        return set().union(*(_unknown_paths(v, f"{path}[{i}]") for i, v in enumerate(value)))
    return set()


def _raw_struct(struct) -> Any:
    from google.protobuf import json_format
    return json_format.MessageToDict(struct)


def _unwrap(value: Any) -> Any:
    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == _SECRET_SIG:
            return _unwrap(value["value"])
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


def stack_config(stack: str, overrides: dict[str, Any] | None = None, secrets: dict[str, str] | None = None,
                 root: Path = ROOT) -> tuple[dict[str, str], list[str]]:
    """The config map the engine would hand the program for `stack`, with test overrides.

    The stack file is read by the same reader as the offline render (a broken file raises SettingsError,
    as the engine refuses it before the program starts)."""
    values: dict[str, Any] = {k: v["default"] for k, v in load_schema().items()}
    secret_keys: set[str] = set()
    stack_file = read_stack_config(root / f"Pulumi.{stack}.yaml")
    extra: dict[str, str] = {}
    for key, value in stack_file.values.items():
        namespace, _, short = key.partition(":")
        if key in stack_file.secure:
            value = TEST_SECRET
        if namespace == c.PROJECT:
            values[short] = value
            secret_keys |= {short} if key in stack_file.secure else set()
        else:
            extra[key] = value
    values.update(overrides or {})
    if values.get("postgresEnabled") in (True, "true") and not (secrets or {}).get("postgresAdminPassword") \
            and "postgresAdminPassword" not in secret_keys:
        # What a developer sets once with `pulumi config set --secret postgresAdminPassword`.
        secrets = {**(secrets or {}), "postgresAdminPassword": TEST_SECRET}
    for key, value in (secrets or {}).items():
        values[key] = value
        secret_keys.add(key)
    config = {f"{c.PROJECT}:{k}": _engine_string(v) for k, v in values.items()} | extra
    foreign_secrets = {k for k in stack_file.secure if k in extra}
    return config, sorted({f"{c.PROJECT}:{k}" for k in secret_keys} | foreign_secrets)


def stack_settings(stack: str, overrides: dict[str, Any] | None = None, secrets: dict[str, str] | None = None,
                   deploying: bool = True) -> Settings:
    """The Settings the program reads for that config map (as `from_pulumi` parses it); `deploying=False`:
    as the offline render reads them."""
    config, secret_keys = stack_config(stack, overrides, secrets)
    raw, secret_short, problems = project_values(config, secret_keys)
    return parse(stack, raw, secret_short, deploying=deploying, found=problems)


def _engine_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value)


@contextmanager
def on_day(day: date) -> Iterator[None]:
    """Inside the block the program's clock (components.rotation) reads noon UTC on `day`."""
    from components import rotation

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(day.year, day.month, day.day, 12, tzinfo=tz or UTC)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rotation, "datetime", Clock)
        yield


def run_program(stack: str, overrides: dict[str, Any] | None = None,
                secrets: dict[str, str] | None = None, root: Path = ROOT, mocks: RecordingMocks | None = None,
                preview: bool = False, monitor: RecordingMonitor | None = None) -> Program:
    """`preview=True` runs it as `pulumi preview` does (values the mocks return as unknown stay unknown);
    `monitor`, built on `mocks`, may record more than the registrations (tests/equivalence.py)."""
    mocks = mocks or RecordingMocks()
    monitor = monitor or RecordingMonitor(mocks)
    # A root stack of its own, named for this stack (set_mocks keeps the process's first one otherwise).
    pulumi.runtime.settings.ROOT.set(None)
    pulumi.runtime.set_mocks(mocks, project=c.PROJECT, stack=stack, preview=preview, monitor=monitor)
    config, secret_keys = stack_config(stack, overrides, secrets, root)
    pulumi.runtime.set_all_config(config, secret_keys)
    namespace: dict[str, Any] = {}

    @pulumi.runtime.test
    def run():
        namespace.update(runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__"))

    run()
    return Program(monitor.registered, namespace, mocks.invokes)
