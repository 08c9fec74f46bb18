"""The certificate the Docker host's nginx proxy serves (tlsSource): self-signed, given PEMs, or host files."""

from __future__ import annotations

from dataclasses import dataclass

from components.settings import formats as f
from components.settings.reader import Reader
from components.settings.secret import Secret

TLS_SOURCES = ("self-signed", "pem", "host-files")
KEYS = ("tlsSource", "tlsCertificatePem", "tlsPrivateKeyPem", "tlsHostCertPath", "tlsHostKeyPath")


@dataclass(frozen=True)
class Tls:
    source: str
    certificate_pem: Secret | None
    private_key_pem: Secret | None
    host_cert_path: str
    host_key_path: str


def read_tls(r: Reader) -> Tls:
    return Tls(r.string("tlsSource", TLS_SOURCES), r.secret("tlsCertificatePem"), r.secret("tlsPrivateKeyPem"),
               r.string("tlsHostCertPath", fmt=f.HOST_FILE), r.string("tlsHostKeyPath", fmt=f.HOST_FILE))


def check_host_files(r: Reader, tls: Tls) -> None:
    if tls.source == "host-files":
        for key, path in (("tlsHostCertPath", tls.host_cert_path), ("tlsHostKeyPath", tls.host_key_path)):
            if not path:
                r.problem(key, path, "required when tlsSource is host-files (an absolute path on the Docker host)")


def check_environment(r: Reader, tls: Tls, environment: str) -> None:
    if environment == "azure-dev" and tls.source == "self-signed":
        r.problem("tlsSource", tls.source, "azure-dev must use the existing certificate: pem | host-files")


def check_deploy_secrets(r: Reader, tls: Tls) -> None:
    if tls.source == "pem":
        for key, pem in (("tlsCertificatePem", tls.certificate_pem), ("tlsPrivateKeyPem", tls.private_key_pem)):
            if pem is None:
                r.problem(key, "", f"required when tlsSource is pem: pulumi config set --secret {key} < file.pem")
