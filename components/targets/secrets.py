"""Deploy-time values the specs refer to by name (`model.Ref`): generated passwords and TLS material.

Passwords come from pulumi-random with a keeper tied to the rotation window, so the first `pulumi up`
after a window ends regenerates them; every value is wrapped secret end to end.
"""

from __future__ import annotations

import pulumi
import pulumi_random as random
import pulumi_tls as tls

from components.rotation import Window
from components.settings import Secret, Settings

# Characters that survive a URL, a pgpass line and a shell without quoting.
SAFE_SPECIALS = "-_.~"


class StackSecrets(pulumi.ComponentResource):
    """Every named secret value of the stack; `values[name]` is a secret Output[str]."""

    def __init__(self, name: str, settings: Settings, window: Window, opts: pulumi.ResourceOptions | None = None):
        super().__init__("observability:secrets:StackSecrets", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        keepers = {"rotation": window.keeper}

        def password(key: str, length: int) -> random.RandomPassword:
            return random.RandomPassword(f"{name}-{key}", length=length, special=True,
                                         override_special=SAFE_SPECIALS, min_lower=2, min_upper=2,
                                         min_numeric=2, keepers=keepers, opts=child)

        given = settings.grafana.admin_password
        admin_password: pulumi.Output[str] = _secret(given) if given else pulumi.Output.secret(
            password("grafana-admin-password", 40).result)  # type: ignore[arg-type]
        self.values: dict[str, pulumi.Output[str]] = {
            "grafana_admin_password": admin_password,
            # Encrypts datasource secrets in Grafana's database: not rotated (rotation would orphan them).
            "grafana_secret_key": pulumi.Output.secret(random.RandomPassword(
                f"{name}-grafana-secret-key", length=48, special=False, opts=child).result),
        }
        if settings.postgres.enabled:
            self.values["postgres_readonly_password"] = pulumi.Output.secret(
                password("postgres-readonly-password", 40).result)
            self.values["postgres_admin_password"] = _demo_admin_password(name, child) if settings.postgres.demo \
                else _secret(settings.postgres.admin_password)
        if settings.alerts.contact_url:
            self.values["alert_contact_url"] = _secret(settings.alerts.contact_url)
        if settings.smtp and settings.smtp.password:
            self.values["smtp_password"] = _secret(settings.smtp.password)
        if settings.exporters.redis_password:
            self.values["redis_password"] = _secret(settings.exporters.redis_password)
        kube = settings.kubernetes
        if kube and kube.object_store.account_key:
            self.values["azure_storage_key"] = _secret(kube.object_store.account_key)
        if not kube and settings.railway is None:  # the ingress, or Railway's edge, terminates TLS
            self.values.update(self._tls(name, settings, child))
        self.values.update(_railway(settings))
        self.register_outputs({"names": sorted(self.values)})

    @staticmethod
    def _tls(name: str, settings: Settings, child: pulumi.ResourceOptions) -> dict[str, pulumi.Output[str]]:
        if settings.tls.source == "pem":
            return {"tls_certificate": _secret(settings.tls.certificate_pem),
                    "tls_private_key": _secret(settings.tls.private_key_pem)}
        if settings.tls.source != "self-signed":
            return {}  # host-files: the certificate stays on the Docker host
        key = tls.PrivateKey(f"{name}-tls-key", algorithm="ECDSA", ecdsa_curve="P256", opts=child)
        cert = tls.SelfSignedCert(
            f"{name}-tls-cert", private_key_pem=key.private_key_pem,
            subject=tls.SelfSignedCertSubjectArgs(common_name=settings.grafana.domain,
                                                  organization="AI Modernize Migration Platform"),
            dns_names=[settings.grafana.domain], ip_addresses=["127.0.0.1"],
            validity_period_hours=24 * 365, early_renewal_hours=24 * 30,
            allowed_uses=["digital_signature", "key_encipherment", "server_auth"], opts=child)
        return {"tls_certificate": cert.cert_pem, "tls_private_key": pulumi.Output.secret(key.private_key_pem)}


def _railway(settings: Settings) -> dict[str, pulumi.Output[str]]:
    """Railway's secret settings that reach services as variables (the API token never does)."""
    railway = settings.railway
    if railway is None:
        return {}
    given = {"grafana_github_client_secret": railway.oauth.client_secret, "grafana_cloud_token": railway.cloud.token,
             "railway_registry_password": railway.registry_password}
    return {key: _secret(value) for key, value in given.items() if value is not None}


def _demo_admin_password(name: str, child: pulumi.ResourceOptions) -> pulumi.Output[str]:
    # No rotation keeper: the demo database keeps the admin password it was initialised with.
    return pulumi.Output.secret(random.RandomPassword(f"{name}-demo-postgres-admin-password", length=40,
                                                      special=False, opts=child).result)


def _secret(value: Secret | None) -> pulumi.Output[str]:
    assert value is not None, "settings validation guarantees the secret is set"
    return pulumi.Output.secret(value.reveal())
