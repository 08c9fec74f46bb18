"""Corpus cases for the Kubernetes (aks-dev) and Railway targets and Grafana's SMTP relay, one change each to a
valid stack of that target. `deploy_only` cases break what only a deploy needs (a secret, a credential): the
offline render accepts them by design (it runs without secrets) and the program must refuse them."""

from __future__ import annotations

from tests.unit.settings_corpus.cases import LOCAL, P, RAILWAY, SECURE, Case, stack

AKS = {"environment": "aks-dev", "domain": "grafana.example.com", "grafanaPort": "443",
       "kubeNamespace": "observability", "storageClassName": "managed-csi",
       "ingressClassName": "webapprouting.kubernetes.azure.com", "certManagerIssuer": "letsencrypt",
       "allowedSourceCidrs": '["10.100.0.0/24"]', "otlpClientNamespaces": '["migration-platform"]'}
RAILWAY_CLOUD = {"environment": "railway", "domain": "observability.up.railway.app", "railwayMode": "grafana-cloud",
                 "railwayToken": SECURE, "railwayImageRegistry": "ghcr.io/acme/observability",
                 "grafanaCloudLokiUrl": "https://logs-prod-012.grafana.net/loki/api/v1/push",
                 "grafanaCloudLokiUser": '"1"',
                 "grafanaCloudPrometheusUrl": "https://prometheus-prod-24-prod-eu-west-2.grafana.net/api/prom/push",
                 "grafanaCloudPrometheusUser": '"2"',
                 "grafanaCloudTempoEndpoint": "tempo-prod-10-prod-eu-west-2.grafana.net:443",
                 "grafanaCloudTempoUser": '"3"', "grafanaCloudToken": SECURE}
EMAIL = {**LOCAL, "alertContactType": "email", "alertContactAddress": "ops@example.com",
         "smtpHost": "smtp.example.com", "smtpPort": "587", "smtpFromAddress": "grafana@example.com"}
VALID = {"aks-dev": AKS, "railway": RAILWAY, "railway-grafana-cloud": RAILWAY_CLOUD, "local-email": EMAIL}


def _case(prefix: str, base: dict[str, str], key: str, value: str | None, fragment: str, names: str = "",
          case_id: str = "", deploy_only: bool = False) -> Case:
    return Case(case_id or f"{prefix}-{key}={value}"[:60], stack(base, **{key: value}), names or P + key, fragment,
                deploy_only)


def aks(key: str, value: str | None, fragment: str, **kw: object) -> Case:
    return _case("aks", AKS, key, value, fragment, **kw)  # type: ignore[arg-type]


def railway(key: str, value: str | None, fragment: str, **kw: object) -> Case:
    return _case("railway", RAILWAY, key, value, fragment, **kw)  # type: ignore[arg-type]


def cloud(key: str, value: str | None, fragment: str, **kw: object) -> Case:
    return _case("cloud", RAILWAY_CLOUD, key, value, fragment, **kw)  # type: ignore[arg-type]


def email(key: str, value: str | None, fragment: str, **kw: object) -> Case:
    return _case("smtp", EMAIL, key, value, fragment, **kw)  # type: ignore[arg-type]


def ingress_cidrs(*entries: str, fragment: str = "opens Grafana's ingress to the internet") -> Case:
    listed = "[" + ", ".join(f'"{e}"' for e in entries) + "]"
    return aks("allowedSourceCidrs", listed, fragment, case_id=f"aks-cidrs-{','.join(entries)}"[:60])


NAMESPACE = "must be a namespace name"
AKS_CASES = [
    aks("kubeNamespace", "Observability", NAMESPACE),
    aks("kubeNamespace", '""', NAMESPACE),
    aks("kubeNamespace", "a" * 64, NAMESPACE),
    aks("kubeNamespace", "obs.space", NAMESPACE),
    aks("ingressControllerNamespace", "App-Routing", NAMESPACE),
    aks("otlpClientNamespaces", '["Migration"]', NAMESPACE),
    aks("otlpClientNamespaces", "migration-platform", "must be a list"),
    aks("storageClassName", "Managed_CSI", "Kubernetes object name"),
    aks("storageClassName", '""', "Kubernetes object name"),
    aks("ingressClassName", '"web app"', "Kubernetes object name"),
    aks("grafanaVolumeGb", "0", "from 1 to 16384"),
    aks("lokiVolumeGb", "20000", "from 1 to 16384"),
    aks("tempoVolumeGb", "ten", "whole number"),
    aks("prometheusVolumeGb", "1.5", "whole number"),
    aks("grafanaEntryKind", "gateway", "ingress | httproute"),
    aks("grafanaEntryKind", "httproute", "required when grafanaEntryKind is httproute",
        names=f"{P}gatewayName/gatewayNamespace"),
    aks("certManagerIssuerKind", "clusterissuer", "ClusterIssuer | Issuer"),
    aks("kubeTlsSecretName", "grafana-tls", "set exactly one", names=f"{P}kubeTlsSecretName/certManagerIssuer",
        case_id="aks-tls-secret-and-issuer"),
    aks("certManagerIssuer", None, "set exactly one", names=f"{P}kubeTlsSecretName/certManagerIssuer",
        case_id="aks-tls-neither-secret-nor-issuer"),
    Case("aks-tls-secret-name", stack(AKS, certManagerIssuer=None, kubeTlsSecretName="Grafana_TLS"),
         f"{P}kubeTlsSecretName", "must be a Secret name"),
    aks("kubeconfig", '"apiVersion: v1\\nclusters: []"', "not its contents"),
    ingress_cidrs("0.0.0.0/0"),
    ingress_cidrs("0.0.0.0/00"),
    ingress_cidrs("::/0"),
    ingress_cidrs("0::/0"),
    ingress_cidrs("*"),
    ingress_cidrs("Internet"),
    ingress_cidrs("any"),
    ingress_cidrs("0.0.0.0/1", "128.0.0.0/1"),
    ingress_cidrs("::/64"),
    ingress_cidrs("::ffff:0:0/95"),
    ingress_cidrs("64:ff9b::/64"),
    ingress_cidrs("2001::/32"),
    ingress_cidrs(fragment="list at least one source CIDR"),
    ingress_cidrs("10.0.0.5/24", fragment="entries are CIDRs"),
    aks("allowAnySource", "yes", "true or false"),
    aks("objectStore", "s3", "filesystem | azure-blob"),
    Case("aks-blob-account", stack(AKS, objectStore="azure-blob", azureStorageAccount="My_Account",
                                   workloadIdentityClientId="0" * 8 + "-0000-0000-0000-" + "0" * 12),
         f"{P}azureStorageAccount", "storage account name"),
    Case("aks-blob-no-account", stack(AKS, objectStore="azure-blob",
                                      workloadIdentityClientId="0" * 8 + "-0000-0000-0000-" + "0" * 12),
         f"{P}azureStorageAccount", "storage account name"),
    Case("aks-blob-container", stack(AKS, objectStore="azure-blob", azureStorageAccount="aimodernizeobs",
                                     workloadIdentityClientId="0" * 8 + "-0000-0000-0000-" + "0" * 12,
                                     lokiBlobContainer="Loki--Chunks"), f"{P}lokiBlobContainer", "blob container"),
    aks("azureBlobAuth", "sas", "workload-identity | account-key"),
    Case("aks-blob-identity", stack(AKS, objectStore="azure-blob", azureStorageAccount="aimodernizeobs",
                                    workloadIdentityClientId="abc"), f"{P}workloadIdentityClientId", "GUID"),
    Case("aks-blob-key-missing", stack(AKS, objectStore="azure-blob", azureStorageAccount="aimodernizeobs",
                                       azureBlobAuth="account-key"), f"{P}azureStorageAccountKey",
         "required when azureBlobAuth is account-key", deploy_only=True),
    aks("azureStorageAccountKey", "cleartext-key", "--secret"),
    aks("grafanaPort", "9999", "must be 443 on a Kubernetes stack"),
    aks("exportHostMetrics", "true", "Pod Security", names=f"{P}exportHostMetrics/exportContainerMetrics"),
    aks("exportRedis", "true", "not on a Kubernetes stack yet"),
    aks("postgresEnabled", "true", "Docker-host only"),
    aks("azureNsgName", "nsg-dev", "applies only to environment azure-dev"),
    Case("local-kubeNamespace", stack(LOCAL, kubeNamespace="monitoring"), f"{P}kubeNamespace",
         "applies only to environment aks-dev"),
]

RAILWAY_CASES = [
    railway("grafanaGithubAllowedOrganizations", None, "required for GitHub sign-in"),
    railway("grafanaGithubAllowedOrganizations", '["-acme"]', "GitHub organization logins"),
    railway("grafanaGithubAllowedOrganizations", "acme", "must be a list"),
    railway("grafanaGithubClientId", None, "required for the self-hosted Railway mode", deploy_only=True),
    railway("grafanaGithubClientSecret", None, "required for the self-hosted Railway mode", deploy_only=True),
    railway("grafanaGithubClientSecret", "gh-cleartext", "--secret"),
    railway("grafanaGithubRoleAttributePath", '" "', "JMESPath"),
    railway("railwayToken", "cleartext-railway-token", "--secret"),
    railway("railwayToken", None, "required to deploy", deploy_only=True),
    railway("railwayImageRegistry", None, "required to deploy", deploy_only=True),
    railway("railwayImageRegistry", "https://ghcr.io/acme", "registry host with a path"),
    railway("railwayRegion", "mars-east1", "allowed values are"),
    railway("railwayProjectName", '""', "must not be empty"),
    railway("railwayProjectName", "p" * 65, "1-64 letters, digits"),
    railway("railwayEnvironmentName", '""', "must not be empty"),
    railway("railwayRegistryUsername", "bot", "set together with the secret railwayRegistryPassword"),
    railway("railwayMode", "hosted", "self-hosted"),
    cloud("grafanaCloudToken", None, "required for the grafana-cloud Railway mode", deploy_only=True),
    cloud("grafanaCloudToken", "glc_cleartext", "--secret"),
    cloud("grafanaCloudLokiUrl", None, "required for the grafana-cloud Railway mode", deploy_only=True),
    cloud("grafanaCloudLokiUser", None, "required for the grafana-cloud Railway mode", deploy_only=True),
    cloud("grafanaCloudLokiUrl", "http://logs.grafana.net/loki/api/v1/push", "https:// URL"),
    cloud("grafanaCloudPrometheusUrl", "prometheus.grafana.net", "https:// URL"),
    cloud("grafanaCloudTempoEndpoint", "https://tempo.grafana.net:443", "must be host:port"),
    Case("local-railwayImageRegistry", stack(LOCAL, railwayImageRegistry="ghcr.io/acme/observability"),
         f"{P}railwayImageRegistry", "applies only to environment railway"),
]

SMTP_CASES = [
    email("smtpHost", None, "required when alertContactType is email"),
    email("smtpHost", '"smtp host"', "RFC 1123"),
    email("smtpPort", "0", "from 1 to 65535"),
    email("smtpPort", "smtp", "whole number"),
    email("smtpFromAddress", None, "required when alertContactType is email"),
    email("smtpFromAddress", "grafana", "must be an email address"),
    email("smtpStartTlsPolicy", "always", "MandatoryStartTLS"),
    email("smtpUser", "relay", "required when smtpUser is set", names=f"{P}smtpPassword", deploy_only=True),
    email("smtpPassword", SECURE, "required when smtpPassword is set", names=f"{P}smtpUser",
          case_id="smtp-password-without-user"),
    email("smtpPassword", "cleartext-smtp", "--secret"),
    Case("smtp-user-without-tls", stack(EMAIL, smtpUser="relay", smtpPassword=SECURE, smtpStartTlsPolicy="NoStartTLS"),
         f"{P}smtpStartTlsPolicy", "unencrypted"),
]

CASES = AKS_CASES + RAILWAY_CASES + SMTP_CASES
