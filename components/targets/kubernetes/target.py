"""The Kubernetes target (aks-dev) as the target table sees it: its specs, their offline render (the containers
and every object), and the deploy: the cluster's provider, then the stack's objects in one namespace."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pulumi
import pulumi_kubernetes as kubernetes

from components.model import KUBERNETES, ContainerSpec
from components.rotation import Window
from components.services import stack_specs
from components.settings import Settings
from components.targets import Deployed
from components.targets.containers import container_entry
from components.targets.kubernetes.render import objects_summary, write
from components.targets.kubernetes.stack import KubernetesStack, KubernetesStackArgs


def specs(settings: Settings) -> tuple[ContainerSpec, ...]:
    return stack_specs(settings, KUBERNETES)


def render(settings: Settings, specs: tuple[ContainerSpec, ...], out: Path) -> dict:
    """The containers (listed as on a Docker host: a review reads both alike) and every object the cluster
    gets (<out>/kubernetes/)."""
    return {"containers": [container_entry(spec, settings) for spec in specs],
            "kubernetes": write(settings, specs, out)}


def summary(out: Path, manifest: dict) -> str:
    """Containers are pods here: nothing is published, the entry is the way in."""
    return (f"Rendered stack '{manifest['stack']}' into {out}: {objects_summary(out, manifest['kubernetes'])}; "
            f"the files of {len(manifest['containers'])} containers in {out / 'files'}")


def deploy(name: str, settings: Settings, specs: tuple[ContainerSpec, ...],
           values: Mapping[str, pulumi.Output[str]], window: Window) -> Deployed:
    """Nothing here rotates with `window`: the cluster keeps no registry token."""
    cluster = KubernetesStack(name, KubernetesStackArgs(settings, specs, values),
                              pulumi.ResourceOptions(provider=kubernetes_provider(settings)))
    return Deployed(settings.grafana.root_url, {"namespace": cluster.namespace_name})


def kubernetes_provider(settings: Settings) -> kubernetes.Provider:
    """The cluster from kubeconfig/kubeContext (empty: KUBECONFIG or ~/.kube/config, its current context)."""
    kube = settings.kubernetes
    assert kube is not None
    return kubernetes.Provider("kubernetes-cluster", kubeconfig=kube.kubeconfig or None,
                               context=kube.context or None)
