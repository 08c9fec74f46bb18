"""Formats a string setting can be held to: each a check (True when the text fits) and what it allows."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Format:
    fits: Callable[[str], bool]
    allowed: str


def _full(pattern: str, flags: int = 0) -> Callable[[str], bool]:
    compiled = re.compile(pattern, flags)
    return lambda text: compiled.fullmatch(text) is not None


_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


def is_host_name(text: str) -> bool:
    """RFC 1123: dot-separated labels of 1-63 ASCII letters, digits and inner hyphens, 253 characters at most; a
    trailing dot (the fully qualified spelling, grafana.example.com.) is the same name."""
    name = text[:-1] if text.endswith(".") and len(text) > 1 else text
    return 0 < len(name) <= 253 and all(_LABEL.fullmatch(label) for label in name.split("."))


def is_host_port(text: str) -> bool:
    host, _, port = text.rpartition(":")
    return is_host_name(host) and port.isdigit() and 1 <= int(port) <= 65535


def is_email(text: str) -> bool:
    """local@domain, the local part in the characters every mail system and config file takes as they are."""
    local, at, domain = text.rpartition("@")
    return bool(at) and re.fullmatch(r"[A-Za-z0-9._%+-]{1,64}", local) is not None and "." in domain \
        and is_host_name(domain)


def is_email_list(text: str) -> bool:
    return all(is_email(a.strip()) for a in re.split(r"[,;]", text))


# Where the proxy may mount a host directory from: never the host's root, a system or runtime directory (the
# Docker socket lives in /run and /var/run), another container's data, or a parent of any of them.
SYSTEM_DIRS = ("/", "/etc", "/usr", "/var", "/home", "/root", "/bin", "/boot", "/etc/pki", "/etc/ssl", "/etc/ssl/certs",
               "/etc/ssl/private", "/lib", "/lib32", "/lib64", "/media", "/mnt", "/opt", "/sbin", "/snap", "/srv",
               "/tmp", "/usr/local", "/var/lib", "/var/tmp")
RUNTIME_TREES = ("/dev", "/proc", "/run", "/sys", "/var/run", "/var/lib/docker", "/var/lib/containerd", "/boot")
_PATH = re.compile(r"(/[A-Za-z0-9_][A-Za-z0-9._-]{0,254}){2,32}")


def is_host_file(text: str) -> bool:
    """An absolute file path of plain segments whose directory the proxy can mount read-only without exposing
    the host (the directory is what a host-files certificate mounts)."""
    if not _PATH.fullmatch(text) or any(part in (".", "..") for part in text.split("/")):
        return False
    directory = posixpath.dirname(text)
    return directory not in SYSTEM_DIRS and not any(directory == tree or directory.startswith(tree + "/")
                                                    for tree in RUNTIME_TREES)


def is_https_url(text: str) -> bool:
    """https://host[:port][/path]: no user, query or fragment, a path of plain characters."""
    try:
        url = urlsplit(text)
        port = url.port
    except ValueError:
        return False
    return (url.scheme == "https" and text.startswith("https://") and is_host_name(url.hostname or "")
            and "@" not in url.netloc and not url.query and not url.fragment and "?" not in text and "#" not in text
            and (port is None or 1 <= port <= 65535)
            and re.fullmatch(r"(/[A-Za-z0-9._~-]*)*", url.path) is not None)


def is_key_vault_name(text: str) -> bool:
    return re.fullmatch(r"[A-Za-z][A-Za-z0-9-]{1,22}[A-Za-z0-9]", text) is not None and "--" not in text


HOST_NAME = Format(is_host_name, "must be a host name (RFC 1123: letters, digits, hyphens and dots, "
                                 "e.g. grafana.example.com)")
HOST_PORT = Format(is_host_port, "must be host:port, e.g. redis:6379")
EMAILS = Format(is_email_list, "must be e-mail addresses separated by commas, e.g. ops@example.com")
# Docker's name rule for containers and networks (a letter or digit, then letters, digits, _ . -).
DOCKER_NAME = Format(_full(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}"),
                     "must be a Docker network name: a letter or digit, then letters, digits, _ . or -")
LOGIN = Format(_full(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}"),
               "must be a login of 1-64 letters, digits, . _ @ + -, starting with a letter or digit")
EMAIL = Format(is_email, "must be an email address such as grafana@example.com (letters, digits, . _ % + - "
                         "before the @)")
SQL_NAME = Format(_full(r"[A-Za-z_][A-Za-z0-9_$-]{0,62}"),
                  "must be 1-63 letters, digits, _ $ or - starting with a letter or _ (a Postgres name)")
HOST_FILE = Format(is_host_file, "must be an absolute file path on the Docker host in a directory of its own, "
                                 "e.g. /etc/ssl/<site>/fullchain.pem: segments of letters, digits, . _ -, no .., "
                                 "the directory (mounted read-only into the proxy) not /, a system directory "
                                 f"({', '.join(SYSTEM_DIRS[1:6])}, …) or under {', '.join(RUNTIME_TREES[:5])}")
HTTPS_URL = Format(is_https_url, "must be an https:// URL, https://<host>[:port]/<path> without user, query or "
                                 "fragment (as the Grafana Cloud portal shows it)")
UUID = Format(_full(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"),
              "must be a GUID, 8-4-4-4-12 hex digits (e.g. 0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0)")
DIGITS = Format(_full(r"[0-9]{1,15}", re.ASCII), "must be the numeric id (ASCII digits) from the Grafana Cloud portal")
# Railway names: what its dashboard shows and the API looks projects and environments up by.
RAILWAY_NAME = Format(_full(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}"),
                      "must be 1-64 letters, digits, _ . -, starting with a letter or digit")
DNS_SUBDOMAIN = Format(_full(r"[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?"),
                       "must be a Kubernetes object name: lowercase letters, digits, - and ., at most 253")
OAUTH_CLIENT_ID = Format(_full(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}"),
                         "must be the GitHub OAuth app's client id (letters, digits, . _ -), e.g. Iv1.0a1b2c3d4e5f6a7b")
KUBE_CONTEXT = Format(_full(r"[A-Za-z0-9][A-Za-z0-9@:/._-]{0,252}"),
                      "must be a kubeconfig context name (letters, digits, @ : / . _ -)")
# Azure naming rules (learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules).
RESOURCE_GROUP = Format(_full(r"[-\w.()]{0,89}[-\w()]"),
                        "must be an Azure resource group name: 1-90 letters, digits, - _ . ( ), not ending in .")
VM_NAME = Format(_full(r"[A-Za-z0-9_]([A-Za-z0-9_.-]{0,62}[A-Za-z0-9_])?"),
                 "must be an Azure Linux VM name: 1-64 letters, digits, _ . -, not starting or ending with . or -")
NSG_NAME = Format(_full(r"[A-Za-z0-9]([A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?"),
                  "must be an Azure NSG name: 1-80 letters, digits, _ . -, starting with a letter or digit")
KEY_VAULT = Format(is_key_vault_name, "must be a Key Vault name: 3-24 letters, digits and single hyphens, "
                                      "starting with a letter, not ending with a hyphen")
ACR_NAME = Format(_full(r"[A-Za-z0-9]{5,50}"), "must be an ACR name: 5-50 letters or digits")
CREDENTIAL_SET_ID = Format(
    _full(r"/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[-\w.()]+/providers/Microsoft\.ContainerRegistry/"
          r"registries/[A-Za-z0-9]+/credentialSets/[A-Za-z0-9-]+", re.IGNORECASE),
    "must be an ACR credential set resource id, /subscriptions/<id>/resourceGroups/<rg>/providers/"
    "Microsoft.ContainerRegistry/registries/<acr>/credentialSets/<name>")
