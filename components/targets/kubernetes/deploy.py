"""Declares the Kubernetes target: the cluster's provider, then the stack's objects in one namespace."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_kubernetes as kubernetes

from components.model import ContainerSpec
from components.rotation import Window
from components.settings import Settings
from components.targets import Deployed
from components.targets.kubernetes.stack import KubernetesStack, KubernetesStackArgs


def deploy(name: str, settings: Settings, specs: tuple[ContainerSpec, ...],
           values: Mapping[str, pulumi.Output[str]], window: Window) -> Deployed:
    """Grafana behind the cluster's Ingress (or a Gateway's HTTPRoute); `window` is unused: nothing here rotates."""
    cluster = KubernetesStack(name, KubernetesStackArgs(settings, specs, values),
                              pulumi.ResourceOptions(provider=kubernetes_provider(settings)))
    return Deployed(settings.grafana.root_url, {"namespace": cluster.namespace_name})


def kubernetes_provider(settings: Settings) -> kubernetes.Provider:
    """The cluster from kubeconfig/kubeContext (empty: KUBECONFIG or ~/.kube/config, its current context)."""
    kube = settings.kubernetes
    assert kube is not None
    return kubernetes.Provider("kubernetes-cluster", kubeconfig=kube.kubeconfig or None,
                               context=kube.context or None)
