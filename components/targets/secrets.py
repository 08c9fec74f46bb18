"""Deploy-time values the specs refer to by name (`model.Ref`): declares exactly the entries of the stack's
secret catalog (components/targets/secret_catalog.py) — generated passwords, given settings, TLS material.

Rotated passwords come from pulumi-random with a keeper tied to the rotation window, so the first
`pulumi up` after a window ends regenerates them; every secret value is wrapped secret end to end.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_random as random
import pulumi_tls as tls

from components.rotation import Window
from components.targets.secret_catalog import Generated, Given, SelfSigned, Source

# Characters that survive a URL, a pgpass line and a shell without quoting.
SAFE_SPECIALS = "-_.~"


class StackSecrets(pulumi.ComponentResource):
    """Every named secret value of the stack; `values[name]` is an Output[str], secret unless it is a
    certificate (the Ref that reads it says so)."""

    def __init__(self, name: str, catalog: Mapping[str, Source], window: Window,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("observability:secrets:StackSecrets", name, None, opts)
        self._name, self._child = name, pulumi.ResourceOptions(parent=self)
        self._keepers = {"rotation": window.keeper}
        self._self_signed: tuple[tls.PrivateKey, tls.SelfSignedCert] | None = None
        self.values: dict[str, pulumi.Output[str]] = {key: self._value(source) for key, source in catalog.items()}
        self.register_outputs({"names": sorted(self.values)})

    def _value(self, source: Source) -> pulumi.Output[str]:
        if isinstance(source, Given):
            return pulumi.Output.secret(source.value.reveal())
        if isinstance(source, Generated):
            return pulumi.Output.secret(self._password(source).result)  # type: ignore[arg-type]
        key, cert = self._certificate(source)
        return cert.cert_pem if source.part == "certificate" else pulumi.Output.secret(key.private_key_pem)

    def _password(self, source: Generated) -> random.RandomPassword:
        options: dict = dict(special=True, override_special=SAFE_SPECIALS, min_lower=2, min_upper=2,
                             min_numeric=2) if source.specials else dict(special=False)
        if source.rotated:
            options["keepers"] = self._keepers
        return random.RandomPassword(f"{self._name}-{source.resource}", length=source.length, **options,
                                     opts=self._child)

    def _certificate(self, source: SelfSigned) -> tuple[tls.PrivateKey, tls.SelfSignedCert]:
        """The key and certificate, declared once for both parts."""
        if self._self_signed is None:
            key = tls.PrivateKey(f"{self._name}-tls-key", algorithm="ECDSA", ecdsa_curve="P256", opts=self._child)
            cert = tls.SelfSignedCert(
                f"{self._name}-tls-cert", private_key_pem=key.private_key_pem,
                subject=tls.SelfSignedCertSubjectArgs(common_name=source.domain,
                                                      organization="AI Modernize Migration Platform"),
                dns_names=[source.domain], ip_addresses=["127.0.0.1"],
                validity_period_hours=24 * 365, early_renewal_hours=24 * 30,
                allowed_uses=["digital_signature", "key_encipherment", "server_auth"], opts=self._child)
            self._self_signed = (key, cert)
        return self._self_signed
