"""The azure-dev target's Azure resources: the existing VM, its NSG rule for the proxy's port, Key Vault, and the
ACR the images come through (with Docker Hub credentials for its cache rules)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from components import constants as c
from components.allowlist import Allowlist
from components.settings import formats as f
from components.settings.access import SourceAccess, allowlist_for
from components.settings.reader import Reader

# The keys only azure-dev reads (set on another stack they are refused, not ignored).
KEYS = ("azureResourceGroup", "azureVmName", "azureNsgName", "nsgRulePriority", "keyVaultName", "acrName", "acrCreate",
        "acrCredentialSetId", "acrDockerHubUsernameSecretUri", "acrDockerHubPasswordSecretUri")


@dataclass(frozen=True)
class Azure:
    resource_group: str
    vm_name: str
    nsg_name: str
    nsg_rule_priority: int
    allowlist: Allowlist  # who may reach port 9999 through the NSG rule
    key_vault_name: str | None
    acr_name: str | None
    acr_create: bool
    acr_credential_set_id: str | None
    docker_hub_secret_uris: tuple[str, str] | None = None  # (username, password) in key_vault_name


def read_azure(r: Reader, access: SourceAccess) -> Azure:
    azure = Azure(r.string("azureResourceGroup", fmt=f.RESOURCE_GROUP), r.string("azureVmName", fmt=f.VM_NAME),
                  r.string("azureNsgName", fmt=f.NSG_NAME), r.integer("nsgRulePriority", 100, 4096),
                  allowlist_for(r, access, f"port {c.PORTS[c.PROXY]}"),
                  r.string("keyVaultName", fmt=f.KEY_VAULT) or None, r.string("acrName", fmt=f.ACR_NAME) or None,
                  r.boolean("acrCreate"), r.string("acrCredentialSetId", fmt=f.CREDENTIAL_SET_ID) or None)
    for key, value in (("azureResourceGroup", azure.resource_group), ("azureVmName", azure.vm_name),
                       ("azureNsgName", azure.nsg_name)):
        if not value:
            r.problem(key, value, "required for azure-dev (the existing resource's name)")
    return replace(azure, docker_hub_secret_uris=_docker_hub_secrets(r, azure))


def _docker_hub_secrets(r: Reader, azure: Azure) -> tuple[str, str] | None:
    """The Key Vault secret URIs of a Docker Hub credential for the cache rules: both or neither, in the
    stack's vault (whose access the stack grants), and not together with an existing credential set."""
    keys = ("acrDockerHubUsernameSecretUri", "acrDockerHubPasswordSecretUri")
    uris = tuple(r.string(key) for key in keys)
    if not any(uris):
        return None
    vault = azure.key_vault_name or "<keyVaultName>"
    secret_uri = rf"https://{re.escape(vault)}\.vault\.azure\.net/secrets/[0-9A-Za-z-]{{1,127}}(/[0-9a-f]{{32}})?"
    for key, uri in zip(keys, uris, strict=True):
        if not re.fullmatch(secret_uri, uri, re.IGNORECASE):
            r.problem(key, uri, f"must be a secret URI in keyVaultName: https://{vault}.vault.azure.net/secrets/"
                      "<name> (set both Docker Hub secret URIs, and keyVaultName)")
    if azure.acr_credential_set_id:
        r.problem("acrCredentialSetId", azure.acr_credential_set_id,
                  "set either an existing credential set or the Docker Hub secret URIs, not both")
    if not azure.acr_name:
        r.problem(keys[0], uris[0], "needs acrName (the registry whose cache rules use the credential)")
    return (uris[0], uris[1])
