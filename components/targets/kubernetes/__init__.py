"""The Kubernetes target (aks-dev): the specs as raw pulumi-kubernetes objects in one namespace, Grafana behind
the cluster's Ingress or a Gateway's HTTPRoute."""

from components.targets.kubernetes.deploy import deploy
from components.targets.kubernetes.render import render, specs, summary

__all__ = ["deploy", "render", "specs", "summary"]
