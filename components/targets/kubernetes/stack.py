"""Declares the stack on a Kubernetes cluster: the object dicts of `objects.py`, each wrapped into its
`pulumi_kubernetes` resource, with secret values as secret Outputs and ConfigMaps/Secrets auto-named.

Auto-naming is what rolls exactly the right pods: pulumi-kubernetes replaces an auto-named ConfigMap or
Secret whose data changes (a new name), so the pod templates that reference it change and only those
pods roll. The namespace is kept on `pulumi destroy`, and with it the data volumes' claims.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.model import ContainerSpec, Ref
from components.settings import Settings
from components.targets.kubernetes.objects import stack_objects
from components.targets.values import resolve as resolve_value

AUTO_NAMED = ("ConfigMap", "Secret")
# pulumi-kubernetes replaces a StatefulSet whose claim templates change (the API forbids the update), and the
# new one adopts the retained claims at their old size: a bigger <service>VolumeGb would silently do nothing
# but restart the pod. The templates are kept as first deployed; claims are resized in place (docs/aks-dev.md runbook).
KEPT_AS_DEPLOYED = {"StatefulSet": ["spec.volumeClaimTemplates"]}
RESOURCES: dict[tuple[str, str], type[pulumi.CustomResource]] = {
    ("v1", "Namespace"): k8s.core.v1.Namespace,
    ("v1", "ConfigMap"): k8s.core.v1.ConfigMap,
    ("v1", "Secret"): k8s.core.v1.Secret,
    ("v1", "ServiceAccount"): k8s.core.v1.ServiceAccount,
    ("v1", "Service"): k8s.core.v1.Service,
    ("apps/v1", "StatefulSet"): k8s.apps.v1.StatefulSet,
    ("apps/v1", "Deployment"): k8s.apps.v1.Deployment,
    ("policy/v1", "PodDisruptionBudget"): k8s.policy.v1.PodDisruptionBudget,
    ("networking.k8s.io/v1", "NetworkPolicy"): k8s.networking.v1.NetworkPolicy,
    ("networking.k8s.io/v1", "Ingress"): k8s.networking.v1.Ingress,
    ("rbac.authorization.k8s.io/v1", "ClusterRole"): k8s.rbac.v1.ClusterRole,
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"): k8s.rbac.v1.ClusterRoleBinding,
}
# Where a pod template names a ConfigMap or Secret: (the enclosing key, the field holding the name).
REFERENCES = {("configMap", "name"), ("secret", "secretName"), ("secretKeyRef", "name")}


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def resolve(value: Any, values: Mapping[str, pulumi.Output[str]], names: Mapping[str, Any],
            within: str = "") -> Any:
    """The dict as Pulumi inputs: `Ref`s as their Outputs, ConfigMap/Secret names as their real names."""
    if isinstance(value, Ref):
        return resolve_value(value, values)
    if isinstance(value, dict):
        return {k: names[v] if (within, k) in REFERENCES and isinstance(v, str) and v in names
                else resolve(v, values, names, k) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, values, names, within) for v in value]
    return value


@dataclass(frozen=True)
class KubernetesStackArgs:
    settings: Settings
    specs: tuple[ContainerSpec, ...]
    values: Mapping[str, pulumi.Output[str]]


class KubernetesStack(pulumi.ComponentResource):
    """The whole stack in one namespace; the cluster is the `kubernetes` provider passed in opts."""

    def __init__(self, name: str, args: KubernetesStackArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("observability:kubernetes:Stack", name, None, opts)
        namespace, *namespaced = stack_objects(args.settings, args.specs)
        self.namespace = self._declare(name, namespace, args.values, {}, pulumi.ResourceOptions(
            parent=self, retain_on_delete=True))  # deleting a namespace would delete the claims in it
        in_namespace = pulumi.ResourceOptions(parent=self, depends_on=[self.namespace])
        names: dict[str, Any] = {}
        self.objects: dict[str, pulumi.CustomResource] = {}
        for obj in namespaced:  # ConfigMaps and Secrets come before the workloads that mount them
            resource = self._declare(name, obj, args.values, names, in_namespace)
            self.objects[f"{obj['kind']}/{obj['metadata']['name']}"] = resource
            if obj["kind"] in AUTO_NAMED:
                names[obj["metadata"]["name"]] = resource.metadata.name  # type: ignore[attr-defined]
        self.namespace_name = self.namespace.metadata.name  # type: ignore[attr-defined]
        self.register_outputs({"namespace": self.namespace_name, "objects": sorted(self.objects)})

    @staticmethod
    def _declare(prefix: str, obj: dict, values: Mapping[str, pulumi.Output[str]], names: Mapping[str, Any],
                 opts: pulumi.ResourceOptions) -> pulumi.CustomResource:
        body = resolve(obj, values, names)
        api_version, kind = body.pop("apiVersion"), body.pop("kind")
        base = obj["metadata"]["name"]
        if kind in AUTO_NAMED:
            body["metadata"] = {k: v for k, v in body["metadata"].items() if k != "name"}
        resource_name = f"{prefix}-{base}" if kind in AUTO_NAMED else f"{prefix}-{kind.lower()}-{base}"
        if kind in KEPT_AS_DEPLOYED:
            opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(ignore_changes=KEPT_AS_DEPLOYED[kind]))
        resource_type = RESOURCES.get((api_version, kind))
        if resource_type is None:  # a CRD kind such as Gateway API's HTTPRoute
            return k8s.apiextensions.CustomResource(resource_name, api_version=api_version, kind=kind,
                                                    metadata=body["metadata"], spec=body.get("spec"), opts=opts)
        return resource_type(resource_name, opts=opts, **{_snake(k): v for k, v in body.items()})
