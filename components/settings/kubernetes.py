"""Settings of the Kubernetes target (aks-dev): cluster, storage, the Grafana entry, the object store."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from components import constants as c
from components.allowlist import Allowlist
from components.settings import formats as f
from components.settings.access import SourceAccess, allowlist_for
from components.settings.exporters import Exporters
from components.settings.grafana import GrafanaAccess
from components.settings.postgres import Postgres
from components.settings.reader import Reader
from components.settings.secret import Secret

ENVIRONMENTS = ("aks-dev",)  # the environments that deploy to a Kubernetes cluster
# The keys only a Kubernetes stack reads (set on another stack they are refused, not ignored).
KEYS = ("kubeNamespace", "kubeconfig", "kubeContext", "storageClassName", "grafanaVolumeGb", "lokiVolumeGb",
        "tempoVolumeGb", "prometheusVolumeGb", "grafanaEntryKind", "ingressClassName", "ingressControllerNamespace",
        "gatewayName", "gatewayNamespace", "kubeTlsSecretName", "certManagerIssuer", "certManagerIssuerKind",
        "otlpClientNamespaces", "objectStore", "azureStorageAccount", "lokiBlobContainer", "tempoBlobContainer",
        "azureBlobAuth", "workloadIdentityClientId", "azureStorageAccountKey", "gatewayOwnsTlsAndSources",
        "certManagerSolver", "lokiReplicas", "alloyReplicas")
ENTRY_KINDS = ("ingress", "httproute")
ISSUER_KINDS = ("ClusterIssuer", "Issuer")
SOLVERS = ("http01", "dns01", "none")  # how the issuer proves the domain; none: a CA, Vault or self-signed issuer
OBJECT_STORES = ("filesystem", "azure-blob")
BLOB_AUTHS = ("workload-identity", "account-key")
VOLUME_SERVICES = (c.GRAFANA, c.LOKI, c.TEMPO, c.PROMETHEUS)
# Namespaces Kubernetes itself uses: the stack's objects (and its NetworkPolicies) would land among the cluster's.
RESERVED_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")
MAX_REPLICAS = 12  # Loki's monolithic mode and Alloy's clustering, well past what one team needs


@dataclass(frozen=True)
class ObjectStore:
    kind: str  # filesystem (the PVC) | azure-blob
    account: str
    containers: Mapping[str, str]  # service → blob container
    auth: str  # workload-identity | account-key
    client_id: str  # the workload identity's client id
    account_key: Secret | None

    @property
    def is_blob(self) -> bool:
        return self.kind == "azure-blob"


@dataclass(frozen=True)
class Kubernetes:
    namespace: str
    kubeconfig: str  # empty: KUBECONFIG or ~/.kube/config
    context: str  # empty: the kubeconfig's current context
    storage_class: str
    volume_gb: Mapping[str, int]
    entry_kind: str  # ingress | httproute
    ingress_class: str
    ingress_controller_namespace: str
    gateway_name: str
    gateway_namespace: str
    tls_secret_name: str
    cert_manager_issuer: str
    cert_manager_issuer_kind: str
    allowlist: Allowlist  # who may reach the Ingress (empty with httproute: the Gateway's listener filters)
    otlp_client_namespaces: tuple[str, ...]  # empty: every namespace
    object_store: ObjectStore
    gateway_owns_tls_and_sources: bool = False  # httproute: the Gateway's listener does TLS and filtering
    cert_manager_solver: str = "http01"  # http01 | dns01 | none
    loki_replicas: int = 1  # above 1: Loki's multi-instance monolithic mode (docs/aks-dev.md, "Scaling")
    alloy_replicas: int = 1  # above 1: Alloy clustering

    @property
    def solves_http01(self) -> bool:
        """Whether cert-manager answers ACME HTTP-01 challenges from solver pods in our namespace."""
        return self.entry_kind == "ingress" and bool(self.cert_manager_issuer) and self.cert_manager_solver == "http01"

    @property
    def entry_namespace(self) -> str:
        """Where the pods that forward browsers to Grafana run: the ingress controller's or the Gateway's."""
        return self.gateway_namespace if self.entry_kind == "httproute" else self.ingress_controller_namespace

    @property
    def tls_secret(self) -> str:
        """The Secret the entry serves TLS from: the existing one, or the one cert-manager fills."""
        return self.tls_secret_name or "grafana-tls"


def parse_kubernetes(r: Reader, access: SourceAccess) -> Kubernetes:
    """Every Kubernetes setting, with its problems recorded on `r` (`access`: who may reach the entry)."""
    entry_kind = r.string("grafanaEntryKind", ENTRY_KINDS)
    kube = Kubernetes(
        namespace=r.string("kubeNamespace"), kubeconfig=r.string("kubeconfig"),
        context=r.string("kubeContext", fmt=f.KUBE_CONTEXT),
        storage_class=r.string("storageClassName"),
        volume_gb=MappingProxyType({s: r.integer(f"{s}VolumeGb", 1, 16384) for s in VOLUME_SERVICES}),
        entry_kind=entry_kind, ingress_class=r.string("ingressClassName"),
        ingress_controller_namespace=r.string("ingressControllerNamespace"),
        gateway_name=r.string("gatewayName", fmt=f.DNS_SUBDOMAIN), gateway_namespace=r.string("gatewayNamespace"),
        tls_secret_name=r.string("kubeTlsSecretName"),
        cert_manager_issuer=r.string("certManagerIssuer", fmt=f.DNS_SUBDOMAIN),
        cert_manager_issuer_kind=r.string("certManagerIssuerKind", ISSUER_KINDS),
        allowlist=_allowlist(r, access, entry_kind),
        otlp_client_namespaces=r.strings("otlpClientNamespaces"), object_store=_object_store(r),
        gateway_owns_tls_and_sources=r.boolean("gatewayOwnsTlsAndSources"),
        cert_manager_solver=r.string("certManagerSolver", SOLVERS),
        loki_replicas=r.integer("lokiReplicas", 1, MAX_REPLICAS),
        alloy_replicas=r.integer("alloyReplicas", 1, MAX_REPLICAS))
    if kube.loki_replicas > 1 and not kube.object_store.is_blob:
        r.problem("lokiReplicas", kube.loki_replicas, "above 1 needs objectStore azure-blob: every Loki replica "
                  "must read the chunks and index the others wrote, and a claim is one pod's disk")
    for key, value in (("kubeNamespace", kube.namespace), ("ingressControllerNamespace",
                                                           kube.ingress_controller_namespace),
                       *((("gatewayNamespace", kube.gateway_namespace),) if kube.gateway_namespace else ()),
                       *(("otlpClientNamespaces", n) for n in kube.otlp_client_namespaces)):
        if not DNS_LABEL.fullmatch(value):
            r.problem(key, value, "must be a namespace name (lowercase letters, digits and '-', at most 63)")
    if kube.namespace in RESERVED_NAMESPACES:
        r.problem("kubeNamespace", kube.namespace, f"is Kubernetes' own namespace ({', '.join(RESERVED_NAMESPACES)}), "
                  "shared with the cluster's workloads; the stack creates its own: choose another, e.g. observability")
    if "apiVersion" in kube.kubeconfig and "\n" not in kube.kubeconfig:  # several lines: refused by the Reader
        r.problem("kubeconfig", "<kubeconfig contents>", "must be the path of a kubeconfig file, not its contents "
                  "(they carry credentials: keep them out of the stack file)")
    for key, value in (("storageClassName", kube.storage_class), ("ingressClassName", kube.ingress_class)):
        if not DNS_SUBDOMAIN.fullmatch(value):
            r.problem(key, value, "must be a Kubernetes object name such as managed-csi")
    if kube.gateway_owns_tls_and_sources and kube.entry_kind != "httproute":
        r.problem("gatewayOwnsTlsAndSources", True, "only applies with grafanaEntryKind httproute; remove it")
    if kube.entry_kind == "ingress" and bool(kube.tls_secret_name) == bool(kube.cert_manager_issuer):
        r.problem("kubeTlsSecretName/certManagerIssuer", [kube.tls_secret_name, kube.cert_manager_issuer],
                  "set exactly one: an existing TLS Secret in the namespace, or a cert-manager issuer")
    if r.is_set("certManagerSolver") and not kube.cert_manager_issuer:
        r.problem("certManagerSolver", kube.cert_manager_solver, "only applies with certManagerIssuer; remove it")
    if kube.tls_secret_name and not DNS_SUBDOMAIN.fullmatch(kube.tls_secret_name):
        r.problem("kubeTlsSecretName", kube.tls_secret_name, "must be a Secret name")
    if kube.entry_kind == "httproute" and not (kube.gateway_name and kube.gateway_namespace):
        r.problem("gatewayName/gatewayNamespace", [kube.gateway_name, kube.gateway_namespace],
                  "required when grafanaEntryKind is httproute (the existing Gateway the route attaches to)")
    if kube.entry_kind == "httproute":
        _check_gateway_entry(r, kube, access)
    return kube


def _allowlist(r: Reader, access: SourceAccess, entry_kind: str) -> Allowlist:
    if entry_kind == "httproute":  # the Gateway filters: a list is refused, as not applied
        return Allowlist((), access.any_source)
    return allowlist_for(r, access, "Grafana's ingress")


def _check_gateway_entry(r: Reader, kube: Kubernetes, access: SourceAccess) -> None:
    """An HTTPRoute carries neither TLS nor a source allowlist: the Gateway's listener does. Settings the route
    cannot apply are refused, and the user confirms that the Gateway does both."""
    unapplied = {"kubeTlsSecretName": kube.tls_secret_name, "certManagerIssuer": kube.cert_manager_issuer,
                 "allowedSourceCidrs": access.cidrs}
    for key, value in unapplied.items():
        if value:
            r.problem(key, value, "is not applied when grafanaEntryKind is httproute (the Gateway's listener owns "
                      "TLS and source filtering); remove it and configure the Gateway")
    if not kube.gateway_owns_tls_and_sources:
        r.problem("gatewayOwnsTlsAndSources", False, "set it to true with grafanaEntryKind httproute, confirming "
                  "that the Gateway's listener terminates TLS for the domain and admits only your sources")


def _object_store(r: Reader) -> ObjectStore:
    store = ObjectStore(r.string("objectStore", OBJECT_STORES), r.string("azureStorageAccount"),
                        MappingProxyType({c.LOKI: r.string("lokiBlobContainer"),
                                          c.TEMPO: r.string("tempoBlobContainer")}),
                        r.string("azureBlobAuth", BLOB_AUTHS), r.string("workloadIdentityClientId", fmt=f.UUID),
                        r.secret("azureStorageAccountKey"))
    if not store.is_blob:
        return store
    if not re.fullmatch(r"[a-z0-9]{3,24}", store.account):
        r.problem("azureStorageAccount", store.account, "must be 3-24 lowercase letters or digits "
                  "(a storage account name) when objectStore is azure-blob")
    for service, container in store.containers.items():
        if not re.fullmatch(r"[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]", container):
            r.problem(f"{service}BlobContainer", container, "must be a blob container name (3-63 lowercase "
                      "letters, digits and single hyphens)")
    if store.auth == "workload-identity" and not store.client_id:
        r.problem("workloadIdentityClientId", store.client_id, "must be the managed identity's client id (a "
                  "GUID) when azureBlobAuth is workload-identity")
    return store


def check_deploy_secrets(r: Reader, kube: Kubernetes) -> None:
    store = kube.object_store
    if store.is_blob and store.auth == "account-key" and store.account_key is None:
        r.problem("azureStorageAccountKey", "", "required when azureBlobAuth is account-key: "
                  "pulumi config set --secret azureStorageAccountKey")


def check_cross_field(r: Reader, grafana: GrafanaAccess, postgres: Postgres, exporters: Exporters) -> None:
    """What the cluster target cannot do (yet), refused before any resource is declared."""
    if grafana.port != c.HTTPS_PORT:
        r.problem("grafanaPort", grafana.port, f"must be {c.HTTPS_PORT} on a Kubernetes stack: the ingress serves "
                  "Grafana on HTTPS's port, and Grafana's root_url must say so")
    if exporters.host or exporters.containers:
        r.problem("exportHostMetrics/exportContainerMetrics", True, "need host mounts, which Pod Security "
                  "'restricted' forbids; leave them off on a Kubernetes stack")
    if exporters.redis:
        r.problem("exportRedis", True, "not on a Kubernetes stack yet (Alloy's NetworkPolicy has no egress to "
                  "the platform's Redis); leave it off")
    if postgres.enabled:
        r.problem("postgresEnabled", True, "the read-only role job is Docker-host only for now; leave it off "
                  "on a Kubernetes stack (or create the role with config/postgres/grafana_readonly.sql)")
