"""azure-dev's Azure edges around the Docker host: the NSG rule that opens Grafana's port to the allowed
sources, Key Vault copies of the stack's secrets, and the ACR mirrors (cache rules) the VM pulls every
image through with a pull-only token. The resource group, NSG, vault and (unless `acrCreate`) registry
already exist: they are looked up, never adopted, so `pulumi destroy` leaves them as they were.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

import pulumi
import pulumi_docker as docker
from pulumi_azure_native import authorization, compute, containerregistry, keyvault, network, resources

from components import constants as c
from components import images as catalog
from components.images import Image
from components.rotation import DAY_SECONDS, Window
from components.secret_names import GRAFANA_ADMIN_PASSWORD, GRAFANA_SECRET_KEY, POSTGRES_READONLY_PASSWORD
from components.settings import Azure, Settings
from components.targets.acr_token import SLOTS, AcrTokenPassword

# Key Vault secret name -> (name in StackSecrets.values, what it is). Only values the stack has are copied.
VAULT_SECRETS = {
    "grafana-admin-password": (GRAFANA_ADMIN_PASSWORD, "Grafana admin user's password"),
    "grafana-secret-key": (GRAFANA_SECRET_KEY, "Grafana's key for datasource secrets"),
    "postgres-readonly-password": (POSTGRES_READONLY_PASSWORD, "Postgres grafana_readonly role's password"),
}
RULE_NAME = "allow-grafana-https"
SECRETS_USER_ROLE = "4633458b-17de-408a-b874-0445c86b69e6"  # Key Vault Secrets User (built-in)
PULL_TOKEN = "observability-pull"  # scope map and token name; also the registry user name


class AzureEdge(pulumi.ComponentResource):
    """`registry_auth` feeds the Docker host's provider; `outputs()` are the edges' ids."""

    def __init__(self, name: str, settings: Settings, values: Mapping[str, pulumi.Output[str]], window: Window,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("observability:azure:Edge", name, None, opts)
        assert settings.azure is not None, "AzureEdge is for the azure-dev environment"
        azure = settings.azure
        self._child = pulumi.ResourceOptions(parent=self)
        self._invoke = pulumi.InvokeOutputOptions(parent=self)
        group = resources.get_resource_group_output(resource_group_name=azure.resource_group, opts=self._invoke)
        tags = {"project": c.PROJECT, "stack": settings.stack, "managed-by": "pulumi"}
        # The VM is only looked up: a wrong name fails the preview instead of a half-applied deploy.
        self.vm_id = compute.get_virtual_machine_output(resource_group_name=azure.resource_group,
                                                        vm_name=azure.vm_name, opts=self._invoke).id

        self.nsg_rule = self._nsg_rule(name, settings, group.name)
        self.vault_secret_uris = self._vault_secrets(name, settings.stack, azure, values, window,
                                                     group.name, tags)
        # The login server of an ACR is `<name lowercased>.azurecr.io`: a plain string, known at preview.
        self.login_server: str = settings.image_registry_prefix
        self.registry_login_server: pulumi.Output[str] | None = None
        self.registry_auth: list[docker.ProviderRegistryAuthArgs] | None = None
        self.pull_prerequisites: list[pulumi.Resource] = []  # image pulls wait for these (the mirrors)
        if azure.acr_name:
            self._mirrors(name, settings, window, group, tags)
        self.register_outputs({"nsgRuleId": self.nsg_rule.id, "keyVaultSecretUris": self.vault_secret_uris,
                               "registryLoginServer": self.registry_login_server})

    def outputs(self) -> dict[str, pulumi.Input]:
        """The edges' ids, as stack outputs."""
        outputs: dict[str, pulumi.Input] = {"vmId": self.vm_id, "nsgRuleId": self.nsg_rule.id}
        if self.vault_secret_uris:
            outputs["keyVaultSecretUris"] = self.vault_secret_uris
        if self.registry_login_server is not None:
            outputs["registryLoginServer"] = self.registry_login_server
        return outputs

    def _nsg_rule(self, name: str, settings: Settings, group: pulumi.Input[str]) -> network.SecurityRule:
        azure = settings.azure
        assert azure is not None
        port = settings.grafana.port
        # A name that does not carry the port: changing grafanaPort updates this rule in place instead of
        # creating a second rule that would collide with the first one's priority.
        rule_name = RULE_NAME
        # Standalone rule on an NSG owned elsewhere: if that owner declares its rules inline, its next
        # deployment removes this rule (and vice versa): agree on who owns the NSG.
        single_source, source_cidrs = _sources(azure)
        nsg = network.get_network_security_group_output(
            resource_group_name=azure.resource_group, network_security_group_name=azure.nsg_name, opts=self._invoke)
        return network.SecurityRule(
            f"{name}-nsg-rule",
            security_rule_name=rule_name,
            resource_group_name=group,
            network_security_group_name=nsg.name,
            direction="Inbound",
            access="Allow",
            protocol="Tcp",
            priority=nsg.security_rules.apply(lambda rules: _free_priority(rules, rule_name, azure.nsg_rule_priority)),
            source_address_prefix=single_source,
            source_address_prefixes=source_cidrs,
            source_port_range="*",
            destination_address_prefix="*",
            destination_port_range=str(port),
            # ARM caps descriptions at 140 characters: no source list here.
            description=f"Grafana over HTTPS, observability stack '{settings.stack}' (managed by Pulumi)"[:140],
            opts=self._child,
        )

    def _vault_secrets(self, name: str, stack: str, azure: Azure, values: Mapping[str, pulumi.Output[str]],
                       window: Window, group: pulumi.Input[str], tags: dict[str, str]) -> dict[str, pulumi.Output[str]]:
        if not azure.key_vault_name:
            pulumi.log.info("keyVaultName is empty: the stack's secrets are kept only in the Pulumi state "
                            "(encrypted). Set keyVaultName to copy them to an existing Key Vault.", resource=self)
            return {}
        vault = keyvault.get_vault_output(resource_group_name=azure.resource_group,
                                          vault_name=azure.key_vault_name, opts=self._invoke)
        uris: dict[str, pulumi.Output[str]] = {}
        for secret_name, (key, purpose) in VAULT_SECRETS.items():
            if key not in values:
                continue
            vault_name = vault_secret_name(stack, secret_name)
            keyvault.Secret(
                f"{name}-kv-{secret_name}",
                resource_group_name=group,
                vault_name=vault.name,
                secret_name=vault_name,
                properties=keyvault.SecretPropertiesArgs(
                    value=pulumi.Output.secret(values[key]),
                    content_type="text/plain",
                    # Key Vault shows when the value is due; the first `pulumi up` after that rotates it.
                    attributes=keyvault.SecretAttributesArgs(enabled=True, expires=window.expires_epoch)),
                tags={**tags, "purpose": purpose},
                # Deleting goes through the vault's data plane (a role and network reach the deployer may
                # lack) and soft delete blocks re-creating the name: leave it (docs/azure-dev-operations.md: purge).
                opts=pulumi.ResourceOptions(parent=self, retain_on_delete=True),
            )
            uris[secret_name] = pulumi.Output.concat(vault.properties.vault_uri, "secrets/", vault_name)
        return uris

    def _mirrors(self, name: str, settings: Settings, window: Window, group: pulumi.Output,
                 tags: dict[str, str]) -> None:
        azure = settings.azure
        assert azure is not None and azure.acr_name
        if azure.acr_create:
            created = containerregistry.Registry(
                f"{name}-registry", registry_name=azure.acr_name, resource_group_name=group.name,
                location=group.location, sku=containerregistry.SkuArgs(name="Basic"),
                admin_user_enabled=False, tags=tags, opts=self._child)
            registry_name = created.id.apply(lambda _: azure.acr_name)  # the name, once the registry exists
            self.registry_login_server = created.login_server
        else:
            found = containerregistry.get_registry_output(resource_group_name=azure.resource_group,
                                                          registry_name=azure.acr_name, opts=self._invoke)
            registry_name = found.name
            self.registry_login_server = found.login_server
        where = {"registry_name": registry_name, "resource_group_name": group.name}

        mirrored = mirrored_images(settings)
        credential_set, can_read = self._docker_hub_credentials(name, settings.stack, azure, where)
        # A rule's target repository must not exist in the registry yet, and deleting a rule leaves the repository
        # it filled: a rule deleted by `pulumi destroy` could never be made again. So `destroy` keeps the rules
        # (the next `up` adopts them: docs/azure-dev-operations.md, "ACR mirrors").
        self.cache_rules = []
        for rule, image in mirrored.items():
            # Docker Hub's credentials go to Docker Hub only (an override may come from another registry).
            hub = image.upstream_registry == catalog.DOCKER_HUB
            self.cache_rules.append(containerregistry.CacheRule(
                f"{name}-cache-{rule}", cache_rule_name=rule, source_repository=image.upstream_repository,
                target_repository=image.repository, credential_set_resource_id=credential_set if hub else None,
                **where, opts=pulumi.ResourceOptions(parent=self, depends_on=can_read if hub else [],
                                                     retain_on_delete=True)))
        scope_map = containerregistry.ScopeMap(
            f"{name}-pull-scope", scope_map_name=PULL_TOKEN,
            description="Pull only: read the content of the observability stack's mirrored repositories",
            actions=[f"repositories/{image.repository}/content/read" for image in mirrored.values()],
            **where, opts=self._child)
        token = containerregistry.Token(f"{name}-pull-token", token_name=PULL_TOKEN, scope_map_id=scope_map.id,
                                        status="enabled", **where, opts=self._child)
        made_in = pull_password_windows(window)
        passwords = {slot: AcrTokenPassword(
            f"{name}-pull-{slot}", token_id=token.id, slot=slot, rotation=made.keeper,
            expiry=datetime.fromtimestamp(made.expires_epoch + window.days * DAY_SECONDS, UTC).isoformat(),
            opts=self._child) for slot, made in made_in.items()}
        # The provider logs in with the password made in the previous window: it is already in the state
        # when a new window starts, so the provider's configuration stays known at preview on rotation runs.
        password = next(passwords[slot] for slot, made in made_in.items() if made.index < window.index)
        # Pulls wait for the cache rules through depends_on, not through the provider's configuration:
        # ids folded into it would be unknown at preview whenever a repository is added.
        self.pull_prerequisites = [*self.cache_rules, *passwords.values()]
        self.registry_auth = [docker.ProviderRegistryAuthArgs(
            address=self.login_server, username=PULL_TOKEN, password=pulumi.Output.secret(password.password))]


    def _docker_hub_credentials(self, name: str, stack: str, azure: Azure, where: dict
                                ) -> tuple[pulumi.Input[str] | None, list[pulumi.Resource]]:
        """(credential set id for the cache rules, what must exist before they pull). Without credentials,
        Docker Hub pulls share its anonymous rate limit with everyone behind the registry's addresses."""
        if not azure.docker_hub_secret_uris:
            return azure.acr_credential_set_id, []
        username, password = azure.docker_hub_secret_uris
        credential_set = containerregistry.CredentialSet(
            f"{name}-dockerhub-credentials", credential_set_name="dockerhub", login_server="docker.io",
            auth_credentials=[containerregistry.AuthCredentialArgs(
                name="Credential1", username_secret_identifier=username, password_secret_identifier=password)],
            identity=containerregistry.IdentityPropertiesArgs(
                type=containerregistry.ResourceIdentityType.SYSTEM_ASSIGNED), **where, opts=self._child)
        vault = keyvault.get_vault_output(resource_group_name=azure.resource_group,
                                          vault_name=azure.key_vault_name, opts=self._invoke)
        # The registry's identity reads exactly these two secrets: Key Vault Secrets User on each secret, not on
        # the vault, which also holds the stack's own passwords (RBAC vaults; a vault on access policies needs
        # `az keyvault set-policy`, see docs/azure-dev-operations.md).
        principal = credential_set.identity.apply(lambda identity: identity.principal_id if identity else None)
        role_id = vault.id.apply(lambda vault_id: "/".join(vault_id.split("/")[:3]) +
                                 f"/providers/Microsoft.Authorization/roleDefinitions/{SECRETS_USER_ROLE}")
        grants: list[pulumi.Resource] = []
        registry = azure.acr_name or ""  # set: only _mirrors calls this
        for role, uri in (("user", username), ("password", password)):
            secret = secret_name_of(uri)
            # A re-created credential set has a new identity, and an assignment's principal cannot change: the
            # principal is in the name, so a new identity's grant is a new resource. Deleted before it is replaced:
            # ARM refuses a second assignment of the same principal, role and scope under another name.
            grants.append(authorization.RoleAssignment(
                f"{name}-dockerhub-{role}-reader",
                role_assignment_name=principal.apply(
                    functools.partial(reader_assignment_name, stack, registry, secret)),
                principal_id=principal, principal_type="ServicePrincipal", role_definition_id=role_id,
                scope=pulumi.Output.concat(vault.id, "/secrets/", secret),
                opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True)))
        return credential_set.id, grants


def reader_assignment_name(stack: str, registry: str, secret: str, principal: str | None) -> str:
    """The role assignment's name (a GUID), one per stack, registry, secret and principal."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{stack}/{registry}/{secret}/{principal}"))


def secret_name_of(uri: str) -> str:
    """The secret's name in a Key Vault secret URI (https://<vault>.vault.azure.net/secrets/<name>[/<version>])."""
    return uri.split("/secrets/", 1)[1].split("/", 1)[0]


def vault_secret_name(stack: str, secret: str) -> str:
    """`<stack>-<secret>`: two stacks can share a vault. Key Vault names allow letters, digits and dashes."""
    return re.sub(r"[^0-9A-Za-z-]", "-", f"{stack}-{secret}")[:127]


def pull_password_windows(window: Window) -> dict[str, Window]:
    """Token password slot -> the window it is (re)made in: password1 in even windows, password2 in odd
    ones, each valid for two windows, so the one made in the previous window is valid all through this one."""
    return {slot: Window(window.index - (window.index - parity) % 2, window.days) for parity, slot in enumerate(SLOTS)}


def mirrored_images(settings: Settings) -> dict[str, Image]:
    """Cache rule name -> image, one per repository of the catalog and of any image override."""
    by_repository = {image.repository: image for image in (*catalog.ALL, *settings.images.values())}
    # Cache rule names: 5-50 letters, digits and dashes.
    return {f"mirror-{re.sub(r'[^A-Za-z0-9]+', '-', repo)}"[:50].rstrip("-"): image
            for repo, image in sorted(by_repository.items())}


def _sources(azure: Azure) -> tuple[str | None, list[str] | None]:
    """(one source prefix, or a list of CIDRs): never both, ARM refuses that; service tags never in the list."""
    if azure.allowlist.any_source:
        return "*", None
    return None, list(azure.allowlist.cidrs)


def _free_priority(rules: list | None, rule_name: str, priority: int) -> int:
    """The configured priority, unless another inbound rule of the NSG holds it (ARM would refuse ours)."""
    holders = [r.name for r in rules or () if r.direction == "Inbound" and r.priority == priority
               and r.name != rule_name]
    if holders:
        raise pulumi.RunError(f"{c.PROJECT}:nsgRulePriority = {priority}: already used by the NSG's inbound "
                              f"rule '{holders[0]}'; choose a free priority from 100 to 4096")
    return priority
