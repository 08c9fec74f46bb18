"""Grafana's SMTP relay, for alertContactType email: validated together, or email is refused.

Grafana sends no mail until [smtp] is configured (it is off by default), so an email contact point
without these settings renders and then never delivers. The password reaches Grafana as a file
(GF_SMTP_PASSWORD__FILE), never as a plain environment value.
"""

from __future__ import annotations

from dataclasses import dataclass

from components.settings import formats as f
from components.settings.reader import Reader
from components.settings.secret import Secret

# Grafana's [smtp] startTLS_policy values (pkg/services/notifications/smtp.go getStartTLSPolicy).
STARTTLS_POLICIES = ("MandatoryStartTLS", "OpportunisticStartTLS", "NoStartTLS")
IMPLICIT_TLS_PORT = 465  # Grafana's mail dialer switches to TLS from the first byte on this port


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    from_address: str
    user: str
    password: Secret | None
    starttls_policy: str

    @property
    def enabled(self) -> bool:
        return bool(self.host)


def read_smtp(r: Reader, contact_type: str, deploying: bool) -> Smtp:
    smtp = Smtp(r.string("smtpHost", fmt=f.HOST_NAME), r.integer("smtpPort", 1, 65535),
                r.string("smtpFromAddress", fmt=f.EMAIL), r.string("smtpUser", fmt=f.LOGIN), r.secret("smtpPassword"),
                r.string("smtpStartTlsPolicy", STARTTLS_POLICIES))
    if contact_type == "email":
        if not smtp.host:
            r.problem("smtpHost", "", "required when alertContactType is email: Grafana sends mail only through "
                      "an SMTP relay (set smtpHost, smtpPort, smtpFromAddress)")
        if not smtp.from_address:
            r.problem("smtpFromAddress", "", "required when alertContactType is email")
    if smtp.enabled and smtp.user and smtp.password is None and deploying:
        r.problem("smtpPassword", "", "required when smtpUser is set: pulumi config set --secret smtpPassword")
    if smtp.password is not None and not smtp.user:
        r.problem("smtpUser", "", "required when smtpPassword is set (the relay login)")
    if smtp.user and smtp.starttls_policy == "NoStartTLS" and smtp.port != IMPLICIT_TLS_PORT:
        r.problem("smtpStartTlsPolicy", smtp.starttls_policy, "would send smtpUser's password unencrypted; use "
                  f"MandatoryStartTLS, or port {IMPLICIT_TLS_PORT} (TLS from the start)")
    return smtp
