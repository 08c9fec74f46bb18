"""Formats a string setting can be held to: each a check (True when the text fits) and what it allows."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    fits: Callable[[str], bool]
    allowed: str


def _full(pattern: str, flags: int = 0) -> Callable[[str], bool]:
    compiled = re.compile(pattern, flags)
    return lambda text: compiled.fullmatch(text) is not None


_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


def is_host_name(text: str) -> bool:
    """RFC 1123: dot-separated labels of 1-63 letters, digits and inner hyphens, 253 characters at most."""
    return 0 < len(text) <= 253 and all(_LABEL.fullmatch(label) for label in text.split("."))


def is_host_port(text: str) -> bool:
    host, _, port = text.rpartition(":")
    return is_host_name(host) and port.isdigit() and 1 <= int(port) <= 65535


def is_email_list(text: str) -> bool:
    addresses = [a.strip() for a in re.split(r"[,;]", text)]
    return all(re.fullmatch(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[^@\s]+\.[^@\s]+", a) is not None
               and is_host_name(a.rpartition("@")[2]) for a in addresses)


def is_key_vault_name(text: str) -> bool:
    return re.fullmatch(r"[A-Za-z][A-Za-z0-9-]{1,22}[A-Za-z0-9]", text) is not None and "--" not in text


HOST_NAME = Format(is_host_name, "must be a host name (RFC 1123: letters, digits, hyphens and dots, "
                                 "e.g. grafana.example.com)")
HOST_PORT = Format(is_host_port, "must be host:port, e.g. redis:6379")
EMAILS = Format(is_email_list, "must be e-mail addresses separated by commas, e.g. ops@example.com")
# Docker's name rule for containers and networks (a letter or digit, then letters, digits, _ . -).
DOCKER_NAME = Format(_full(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}"),
                     "must be a Docker network name: a letter or digit, then letters, digits, _ . or -")
LOGIN = Format(_full(r"[^\s:]{1,64}"), "must be 1-64 characters without spaces or ':'")
SQL_NAME = Format(_full(r"[A-Za-z_][A-Za-z0-9_$-]{0,62}"),
                  "must be 1-63 letters, digits, _ $ or - starting with a letter or _ (a Postgres name)")
ABSOLUTE_PATH = Format(_full(r"/[^\0]*"), "must be an absolute path on the Docker host")
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
