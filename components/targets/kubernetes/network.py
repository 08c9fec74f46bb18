"""Who may talk to whom: a default-deny NetworkPolicy, then per service exactly the flows its spec and
its peers' specs declare (and, with an HTTP-01 issuer, the ingress controller to cert-manager's solver pods);
and Grafana's one entry from outside (Ingress or Gateway API HTTPRoute)."""

from __future__ import annotations

from collections.abc import Callable

from components import constants as c
from components.model import ContainerSpec
from components.settings import Settings

NAMESPACE_LABEL = "kubernetes.io/metadata.name"  # set by Kubernetes on every namespace
DNS = {"to": [{"namespaceSelector": {"matchLabels": {NAMESPACE_LABEL: "kube-system"}},
               "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
       "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}
API_SERVER_PORTS = (c.HTTPS_PORT, 6443)  # the API server's address differs per cluster (AKS: 443 through konnectivity)
WHITELIST = "nginx.ingress.kubernetes.io/whitelist-source-range"  # AKS app routing is NGINX-based
# cert-manager's HTTP-01 solver pods: created in the Ingress's namespace, with this label, listening on 8089;
# the ACME server and cert-manager's self-check reach them through the ingress controller
# (cert-manager/cert-manager#2334, cert-manager/website#2158).
ACME_SOLVER = {"acme.cert-manager.io/http01-solver": "true"}
ACME_SOLVER_PORT = 8089

Selector = Callable[[str], dict[str, str]]


def _namespaces(names: tuple[str, ...] | list[str]) -> dict:
    if not names:
        return {"namespaceSelector": {}}  # every namespace
    return {"namespaceSelector": {"matchExpressions": [{"key": NAMESPACE_LABEL, "operator": "In",
                                                        "values": sorted(names)}]}}


def _tcp(*ports: int) -> list[dict]:
    return [{"protocol": "TCP", "port": p} for p in sorted(set(ports))]


def policies(settings: Settings, specs: list[ContainerSpec], selector: Selector) -> list[dict]:
    kube = settings.kubernetes
    assert kube is not None
    meta = {"namespace": kube.namespace}
    objects = [{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                "metadata": {"name": "default-deny", **meta},
                "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}]
    for spec in specs:
        ingress = []
        for peer in specs:
            ports = [f.port for f in peer.connects_to if f.service == spec.service and peer is not spec]
            if ports:
                ingress.append({"from": [{"podSelector": {"matchLabels": selector(peer.service)}}],
                                "ports": _tcp(*ports)})
        peers = {"podSelector": {"matchLabels": selector(spec.service)}}
        if spec.peer_ports:  # the replicas of one service, to each other (gossip, gRPC) and nobody else
            ingress.append({"from": [peers], "ports": _tcp(*(p.port for p in spec.peer_ports))})
        platform = [p.port for p in spec.listens if p.from_platform]
        if platform:
            ingress.append({"from": [_namespaces(kube.otlp_client_namespaces)], "ports": _tcp(*platform)})
        if spec.browser_entry:
            ingress.append({"from": [_namespaces([kube.entry_namespace])],
                            "ports": _tcp(*(p.port for p in spec.listens))})
        egress = [DNS]
        targets: dict[str, list[int]] = {}
        for flow in spec.connects_to:
            targets.setdefault(flow.service, []).append(flow.port)
        egress += [{"to": [{"podSelector": {"matchLabels": selector(service)}}], "ports": _tcp(*ports)}
                   for service, ports in sorted(targets.items())]
        if spec.peer_ports:
            egress.append({"to": [peers], "ports": _tcp(*(p.port for p in spec.peer_ports))})
        outside = [*spec.external_ports, *(API_SERVER_PORTS if spec.reads_cluster_api else ())]
        if outside:
            egress.append({"ports": _tcp(*outside)})  # addresses outside the cluster are not known here
        objects.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                        "metadata": {"name": spec.service, **meta}, "spec": {
                            "podSelector": {"matchLabels": selector(spec.service)},
                            "policyTypes": ["Ingress", "Egress"], "ingress": ingress, "egress": egress}})
    if kube.solves_http01:  # the default deny covers the solver pods too: admit the controller, on 8089 only
        objects.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                        "metadata": {"name": "acme-http01-solver", **meta}, "spec": {
                            "podSelector": {"matchLabels": ACME_SOLVER}, "policyTypes": ["Ingress"],
                            "ingress": [{"from": [_namespaces([kube.ingress_controller_namespace])],
                                         "ports": _tcp(ACME_SOLVER_PORT)}]}})
    return objects


def entry(settings: Settings, specs: list[ContainerSpec], selector: Selector) -> list[dict]:
    """The only way in from outside the cluster: to the browser-entry service, over TLS, from the allowlist."""
    kube = settings.kubernetes
    assert kube is not None
    [web] = [s for s in specs if s.browser_entry]
    port = web.listens[0]
    host = settings.grafana.domain
    meta = {"name": web.service, "namespace": kube.namespace}
    if kube.entry_kind == "httproute":
        # TLS and the source allowlist belong to the Gateway's listener, which its owner configures.
        return [{"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": meta, "spec": {
            "parentRefs": [{"name": kube.gateway_name, "namespace": kube.gateway_namespace}],
            "hostnames": [host],
            "rules": [{"backendRefs": [{"name": web.service, "port": port.port}]}]}}]
    annotations = {}
    if not kube.allowlist.any_source:
        annotations[WHITELIST] = ",".join(kube.allowlist.cidrs)
    if kube.cert_manager_issuer:
        kind = "cluster-issuer" if kube.cert_manager_issuer_kind == "ClusterIssuer" else "issuer"
        annotations[f"cert-manager.io/{kind}"] = kube.cert_manager_issuer
    return [{"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
             "metadata": {**meta, **({"annotations": annotations} if annotations else {})}, "spec": {
                 "ingressClassName": kube.ingress_class,
                 "tls": [{"hosts": [host], "secretName": kube.tls_secret}],
                 "rules": [{"host": host, "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {
                     "service": {"name": web.service, "port": {"name": port.name}}}}]}}]}}]
