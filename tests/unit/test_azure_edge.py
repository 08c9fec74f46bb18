"""azure-dev's Azure edges under Pulumi mocks: the NSG rule and its refusals, Key Vault copies of the
secrets, ACR mirrors with a pull-only token for the Docker host, and lookups (never resources) for what
already exists."""

from __future__ import annotations

import importlib
import json
import logging
import types
import uuid
from datetime import UTC, datetime

import pulumi
import pytest
from pulumi.runtime.sync_await import _sync_await

from components import images
from components.targets.acr_token import _TokenPasswordProvider
from components.targets.docker.azure import reader_assignment_name, vault_secret_name
from tests.unit import pulumi_harness as harness
from tests.unit.pulumi_harness import run_program

RULE = "azure-native:network:SecurityRule"
VAULT_SECRET = "azure-native:keyvault:Secret"
CACHE_RULE = "azure-native:containerregistry:CacheRule"
DOCKER_PROVIDER = "pulumi:providers:docker"
HOST_PROVIDER, PULL_PROVIDER = "docker-host", "docker-registry"  # containers; image pulls
ACR = "aimodernizeobs.azurecr.io"
OPEN_PASSWORD = "a-32-character-admin-password-ok"  # allowAnySource needs at least 32


def azure_program(overrides: dict | None = None, secrets: dict | None = None) -> harness.Program:
    return run_program("azure-dev", overrides, secrets)


@pytest.fixture(scope="module")
def program() -> harness.Program:
    return azure_program()


def _rule(program: harness.Program) -> dict:
    return program.one(RULE).inputs


def _registry_auth(program: harness.Program) -> list[dict]:
    return json.loads(program.named(PULL_PROVIDER).inputs["registryAuth"])  # provider inputs travel as JSON


# --- NSG rule -----------------------------------------------------------------------------------

def test_the_rule_allows_inbound_tcp_to_grafanas_port(program):
    rule = _rule(program)
    assert (rule["direction"], rule["access"], rule["protocol"]) == ("Inbound", "Allow", "Tcp")
    assert rule["destinationPortRange"] == "9999" and rule["securityRuleName"] == "allow-grafana-https"


def test_changing_the_grafana_port_updates_the_same_rule():
    rule = azure_program({"grafanaPort": 8443}).one(RULE).inputs
    assert (rule["securityRuleName"], rule["destinationPortRange"]) == ("allow-grafana-https", "8443")


def test_the_rule_admits_exactly_the_configured_source_cidrs(program):
    rule = _rule(program)
    assert rule["sourceAddressPrefixes"] == ["10.100.0.0/24"] and "sourceAddressPrefix" not in rule


def test_the_rule_has_the_configured_priority_and_a_description(program):
    rule = _rule(program)
    assert rule["priority"] == 310 and "Grafana" in rule["description"] and len(rule["description"]) <= 140


def test_the_rule_goes_on_the_existing_nsg_of_the_configured_group(program):
    rule = _rule(program)
    assert (rule["networkSecurityGroupName"], rule["resourceGroupName"]) == ("CNCoE-Ubuntu-nsg", "rg-aimodernize-dev")


@pytest.mark.parametrize("sources", [["*"], ["0.0.0.0/0"], ["Internet"], ["Any"], []])
def test_an_open_or_empty_source_list_is_refused_naming_the_key(sources):
    with pytest.raises(pulumi.RunError, match="observability:allowedSourceCidrs"):
        azure_program({"allowedSourceCidrs": sources})


def test_allow_any_source_with_a_32_character_password_opens_the_rule_to_any_source():
    program = azure_program({"allowAnySource": True, "allowedSourceCidrs": []},
                            {"grafanaAdminPassword": OPEN_PASSWORD})
    rule = _rule(program)
    assert rule["sourceAddressPrefix"] == "*" and "sourceAddressPrefixes" not in rule


def test_allow_any_source_refuses_a_20_character_admin_password():
    with pytest.raises(pulumi.RunError, match="observability:grafanaAdminPassword.*32 characters"):
        azure_program({"allowAnySource": True, "allowedSourceCidrs": []}, {"grafanaAdminPassword": "x" * 20})


def test_a_priority_held_by_another_inbound_rule_of_the_nsg_is_refused(monkeypatch):
    existing = harness.MOCK_INVOKES["azure-native:network:getNetworkSecurityGroup"]
    taken = [{"name": "allow-ssh", "direction": "Inbound", "priority": 310, "access": "Allow", "protocol": "Tcp"}]
    monkeypatch.setitem(harness.MOCK_INVOKES, "azure-native:network:getNetworkSecurityGroup",
                        lambda a: existing(a) | {"securityRules": taken})
    with pytest.raises(pulumi.RunError, match="observability:nsgRulePriority = 310.*allow-ssh"):
        azure_program()


# --- Key Vault ----------------------------------------------------------------------------------

def test_the_vault_gets_the_grafana_and_read_only_postgres_secrets(program):
    names = {r.inputs["secretName"] for r in program.of_type(VAULT_SECRET)}
    assert names == {"azure-dev-grafana-admin-password", "azure-dev-grafana-secret-key",
                     "azure-dev-postgres-readonly-password"}


def test_without_postgres_the_vault_gets_only_the_grafana_secrets():
    program = azure_program({"postgresEnabled": False, "exportPostgres": False})
    names = {r.inputs["secretName"] for r in program.of_type(VAULT_SECRET)}
    assert names == {"azure-dev-grafana-admin-password", "azure-dev-grafana-secret-key"}


def test_vault_secret_names_carry_the_stack_in_the_characters_key_vault_allows():
    assert vault_secret_name("team_a.dev", "grafana-secret-key") == "team-a-dev-grafana-secret-key"


def test_vault_secrets_are_left_in_the_vault_when_the_stack_lets_go_of_them(program):
    secrets = program.of_type(VAULT_SECRET)
    assert secrets and all(s.retain_on_delete for s in secrets)


def test_every_vault_secret_value_is_registered_as_a_secret(program):
    secrets = program.of_type(VAULT_SECRET)
    assert secrets and all("properties.value" in s.secret_paths and s.inputs["properties"]["value"] for s in secrets)


def test_every_vault_secret_has_a_content_type_tags_and_an_expiry_in_the_existing_vault(program):
    for secret in program.of_type(VAULT_SECRET):
        properties = secret.inputs["properties"]
        assert properties["contentType"] and properties["attributes"]["expires"] > 0
        assert secret.inputs["tags"]["stack"] == "azure-dev" and secret.inputs["vaultName"] == "kv-aimodernize-dev"


def test_the_vault_secret_uris_point_into_the_vault(program):
    uris = _sync_await(pulumi.Output.from_input(program.globals["deployed"].outputs["keyVaultSecretUris"]).future())
    assert uris["grafana-admin-password"] == (
        "https://kv-aimodernize-dev.vault.azure.net/secrets/azure-dev-grafana-admin-password")


def test_without_a_vault_no_key_vault_resource_is_declared_and_the_program_says_so(caplog):
    with caplog.at_level(logging.INFO):
        program = azure_program({"keyVaultName": ""})
    assert not [r for r in program.resources if r.typ.startswith("azure-native:keyvault:")]
    assert "keyVaultName is empty" in caplog.text


# --- ACR mirrors and the Docker host -------------------------------------------------------------

def test_one_cache_rule_per_catalog_repository_maps_upstream_to_the_mirror(program):
    rules = [(r.inputs["sourceRepository"], r.inputs["targetRepository"]) for r in program.of_type(CACHE_RULE)]
    expected = {(image.upstream_repository, image.repository) for image in images.ALL}
    assert sorted(rules) == sorted(expected) and ("docker.io/library/nginx", "library/nginx") in rules


def test_pulumi_destroy_keeps_the_cache_rules_whose_repositories_it_cannot_delete(program):
    # ACR refuses a rule whose target repository exists, and deleting a rule leaves its repository.
    rules = program.of_type(CACHE_RULE)
    assert rules and all(rule.retain_on_delete for rule in rules)


def test_cache_rules_use_the_docker_hub_credential_set_when_one_is_configured():
    credential_set = harness.arm_id("rg", "Microsoft.ContainerRegistry/registries", "acr/credentialSets/dockerhub")
    program = azure_program({"acrCredentialSetId": credential_set})
    assert {r.inputs["credentialSetResourceId"] for r in program.of_type(CACHE_RULE)} == {credential_set}


def test_the_scope_map_only_reads_the_mirrored_repositories(program):
    actions = program.one("azure-native:containerregistry:ScopeMap").inputs["actions"]
    assert sorted(actions) == sorted({f"repositories/{i.repository}/content/read" for i in images.ALL})


def test_the_pull_token_is_bound_to_the_scope_map(program):
    token = program.one("azure-native:containerregistry:Token").inputs
    assert token["scopeMapId"] == "azure-pull-scope-id" and token["status"] == "enabled"


@pytest.mark.parametrize("name", [HOST_PROVIDER, PULL_PROVIDER])
def test_both_docker_providers_reach_the_vm_over_ssh_with_the_configured_options(program, name):
    provider = program.named(name).inputs
    assert provider["host"].startswith("ssh://")
    assert json.loads(provider["sshOpts"]) == ["-o", "StrictHostKeyChecking=yes", "-o", "ServerAliveInterval=30"]


def test_the_docker_provider_logs_in_to_the_acr_with_the_pull_token(program):
    (auth,) = _registry_auth(program)
    assert (auth["address"], auth["username"]) == (ACR, "observability-pull") and auth["password"]


def test_the_registry_password_reaches_the_docker_provider_as_a_secret(program):
    assert "registryAuth" in program.named(PULL_PROVIDER).secret_paths


def test_only_the_image_pulls_use_the_provider_with_the_registry_password(program):
    pulls = {r.provider.split("::")[-1].split("::")[0] for r in program.of_type("docker:index/remoteImage:RemoteImage")}
    others = {r.provider for r in program.resources if r.typ.startswith("docker:index/") and
              r.typ != "docker:index/remoteImage:RemoteImage"}
    assert "registryAuth" not in program.named(HOST_PROVIDER).inputs
    assert pulls and all(PULL_PROVIDER in p for p in pulls) and others and all(HOST_PROVIDER in p for p in others)


def test_every_pull_waits_for_the_cache_rules_and_the_token_password(program):
    rules = {r.name for r in program.of_type(CACHE_RULE)}
    for pull in program.of_type("docker:index/remoteImage:RemoteImage"):
        waits_for = {urn.rsplit("::", 1)[-1] for urn in pull.dependencies}
        assert rules <= waits_for and {"azure-pull-password1", "azure-pull-password2"} <= waits_for, pull.name


def test_every_image_is_pulled_from_the_acr_by_digest(program):
    names = [r.inputs["name"] for r in program.of_type("docker:index/remoteImage:RemoteImage")]
    assert names and all(n.startswith(f"{ACR}/") and "@sha256:" in n for n in names)


def test_nothing_but_the_cache_rules_mentions_docker_hub(program):
    mentions = [r.name for r in program.resources if r.typ != CACHE_RULE and "docker.io" in json.dumps(r.inputs)]
    assert program.of_type(CACHE_RULE) and mentions == []


def test_without_an_acr_there_are_no_mirrors_and_no_registry_login():
    program = azure_program({"acrName": ""})
    assert not [r for r in program.resources if r.typ.startswith("azure-native:containerregistry:")]
    assert [r.name for r in program.of_type(DOCKER_PROVIDER)] == [HOST_PROVIDER]


def test_acr_create_declares_a_basic_registry_with_the_admin_user_off():
    registry = azure_program({"acrCreate": True}).one("azure-native:containerregistry:Registry").inputs
    assert (registry["registryName"], registry["sku"], registry["adminUserEnabled"]) == (
        "aimodernizeobs", {"name": "Basic"}, False)


# --- existing resources ---------------------------------------------------------------------------

def test_the_existing_group_vm_nsg_vault_and_registry_are_looked_up(program):
    tokens = {call.token for call in program.invokes}
    assert {"azure-native:resources:getResourceGroup", "azure-native:compute:getVirtualMachine",
            "azure-native:network:getNetworkSecurityGroup",
            "azure-native:keyvault:getVault", "azure-native:containerregistry:getRegistry"} <= tokens


def test_the_existing_resources_are_never_declared(program):
    declared = {r.typ for r in program.resources}
    assert declared.isdisjoint({"azure-native:resources:ResourceGroup", "azure-native:network:NetworkSecurityGroup",
                                "azure-native:keyvault:Vault", "azure-native:containerregistry:Registry",
                                "azure-native:compute:VirtualMachine"})


# --- the token password provider ------------------------------------------------------------------

def test_the_token_password_provider_generates_password1_through_arm(monkeypatch):
    # Deploy dependencies (pyproject.toml): a missing one must fail here, not skip.
    identity = importlib.import_module("azure.identity")
    acr = importlib.import_module("azure.mgmt.containerregistry")
    calls = []

    class Registries:
        def begin_generate_credentials(self, group, registry, parameters):
            calls.append((group, registry, parameters))
            password = types.SimpleNamespace(name="password1", value="s3cret",
                                             creation_time=datetime(2026, 9, 4, 10, tzinfo=UTC))
            return types.SimpleNamespace(result=lambda: types.SimpleNamespace(passwords=[password]))

    class Tokens:  # what ACR keeps: the time of the password it just made
        def get(self, group, registry, name):
            made = types.SimpleNamespace(name="password1", creation_time=datetime(2026, 9, 4, 10, tzinfo=UTC))
            return types.SimpleNamespace(credentials=types.SimpleNamespace(passwords=[made]))

    def client(credential, subscription_id):
        calls.append(subscription_id)
        return types.SimpleNamespace(registries=Registries(), tokens=Tokens())

    monkeypatch.setattr(identity, "DefaultAzureCredential", lambda: "credential")
    monkeypatch.setattr(acr, "ContainerRegistryManagementClient", client)
    token_id = harness.arm_id("rg-x", "Microsoft.ContainerRegistry/registries", "myacr/tokens/observability-pull")
    result = _TokenPasswordProvider().create({"token_id": token_id, "password_name": "password1",
                                              "expiry": "2026-12-03T00:00:00+00:00", "rotation": "90d-window-230"})
    subscription, (group, registry, parameters), _ = calls  # the generating client, then the token's reader
    assert (subscription, group, registry) == ("00000000-0000-0000-0000-000000000000", "rg-x", "myacr")
    assert (parameters.token_id, parameters.name, parameters.expiry.isoformat()) == (
        token_id, "password1", "2026-12-03T00:00:00+00:00")
    assert result.outs["password"] == "s3cret" and result.outs["created"] == "2026-09-04T10:00:00+00:00"


def test_the_token_password_provider_asks_arm_when_the_tokens_password_was_made(monkeypatch):
    acr = importlib.import_module("azure.mgmt.containerregistry")
    identity = importlib.import_module("azure.identity")
    made = datetime(2026, 9, 4, 10, tzinfo=UTC)
    token = types.SimpleNamespace(credentials=types.SimpleNamespace(passwords=[
        types.SimpleNamespace(name="password2", creation_time=made)]))
    asked = []

    class Tokens:
        def get(self, group, registry, name):
            asked.append((group, registry, name))
            return token

    monkeypatch.setattr(identity, "DefaultAzureCredential", lambda: "credential")
    monkeypatch.setattr(acr, "ContainerRegistryManagementClient",
                        lambda credential, subscription: types.SimpleNamespace(tokens=Tokens()))
    token_id = harness.arm_id("rg-x", "Microsoft.ContainerRegistry/registries", "myacr/tokens/observability-pull")
    assert _TokenPasswordProvider._created(token_id, "password2") == "2026-09-04T10:00:00+00:00"
    assert _TokenPasswordProvider._created(token_id, "password1") is None
    assert asked[0] == ("rg-x", "myacr", "observability-pull")


# --- Docker Hub credentials for the mirrors --------------------------------------------------------

VAULT_URI = "https://kv-aimodernize-dev.vault.azure.net/secrets"
DOCKER_HUB = {"acrDockerHubUsernameSecretUri": f"{VAULT_URI}/dockerhub-user",
              "acrDockerHubPasswordSecretUri": f"{VAULT_URI}/dockerhub-token"}


@pytest.fixture(scope="module")
def with_docker_hub() -> harness.Program:
    return azure_program(DOCKER_HUB)


def test_docker_hub_secrets_become_a_credential_set_for_docker_io(with_docker_hub):
    credential_set = with_docker_hub.one("azure-native:containerregistry:CredentialSet").inputs
    assert credential_set["loginServer"] == "docker.io" and credential_set["identity"]["type"] == "SystemAssigned"
    assert credential_set["authCredentials"] == [{"name": "Credential1",
                                                  "usernameSecretIdentifier": f"{VAULT_URI}/dockerhub-user",
                                                  "passwordSecretIdentifier": f"{VAULT_URI}/dockerhub-token"}]


def test_the_credential_sets_identity_may_read_the_two_docker_hub_secrets_and_nothing_else(with_docker_hub):
    grants = [r.inputs for r in with_docker_hub.of_type("azure-native:authorization:RoleAssignment")]
    vault_id = harness.arm_id("rg-aimodernize-dev", "Microsoft.KeyVault/vaults", "kv-aimodernize-dev")
    # Scoped to each secret: the vault also holds the stack's own passwords, which the registry must not read.
    assert sorted(g["scope"] for g in grants) == [f"{vault_id}/secrets/dockerhub-token",
                                                  f"{vault_id}/secrets/dockerhub-user"]
    for grant in grants:
        assert (grant["principalId"], grant["principalType"]) == (
            "principal-of-azure-dockerhub-credentials", "ServicePrincipal")
        assert grant["roleDefinitionId"] == (f"{harness.SUBSCRIPTION}/providers/Microsoft.Authorization/"
                                             "roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6")
    assert len({g["roleAssignmentName"] for g in grants}) == 2


def test_each_reader_assignment_is_named_for_the_credential_sets_principal(with_docker_hub):
    grants = {g.inputs["scope"].rsplit("/", 1)[1]: g.inputs["roleAssignmentName"]
              for g in with_docker_hub.of_type("azure-native:authorization:RoleAssignment")}
    principal = "principal-of-azure-dockerhub-credentials"  # what the mocked ARM gives the set's identity
    assert grants == {secret: reader_assignment_name("azure-dev", "aimodernizeobs", secret, principal)
                      for secret in ("dockerhub-user", "dockerhub-token")}


def test_a_recreated_credential_sets_new_principal_gets_new_assignments_beside_the_old_ones():
    # The principal of an assignment cannot be updated: the new identity's grant must be a new resource.
    old, new = (reader_assignment_name("azure-dev", "aimodernizeobs", "dockerhub-user", p)
                for p in ("11111111-aaaa", "22222222-bbbb"))
    assert old != new and uuid.UUID(old) and uuid.UUID(new)
    assert old == reader_assignment_name("azure-dev", "aimodernizeobs", "dockerhub-user", "11111111-aaaa")


def test_a_reader_assignment_is_deleted_before_its_replacement_is_made(with_docker_hub):
    # ARM refuses a second assignment of one principal, role and scope (RoleAssignmentExists), e.g. when a
    # stack deployed with the older names moves to these.
    grants = with_docker_hub.of_type("azure-native:authorization:RoleAssignment")
    assert grants and all(g.delete_before_replace for g in grants)


def test_cache_rules_use_the_created_credential_set_once_it_may_read_the_secrets(with_docker_hub):
    for rule in with_docker_hub.of_type(CACHE_RULE):
        assert rule.inputs["credentialSetResourceId"] == "azure-dockerhub-credentials-id"
        for reader in ("azure-dockerhub-user-reader", "azure-dockerhub-password-reader"):
            assert any(urn.endswith(f"::{reader}") for urn in rule.dependencies), (rule.name, reader)


@pytest.mark.parametrize("overrides,key", [
    ({"acrDockerHubUsernameSecretUri": f"{VAULT_URI}/dockerhub-user"}, "acrDockerHubPasswordSecretUri"),
    (DOCKER_HUB | {"acrDockerHubPasswordSecretUri": "https://other.vault.azure.net/secrets/x"},
     "acrDockerHubPasswordSecretUri"),
    (DOCKER_HUB | {"acrCredentialSetId": "/subscriptions/x/credentialSets/y"}, "acrCredentialSetId"),
])
def test_docker_hub_secrets_are_both_given_in_the_stacks_vault_or_refused(overrides, key):
    with pytest.raises(pulumi.RunError, match=f"observability:{key}"):
        azure_program(overrides)


def test_a_one_segment_docker_hub_override_is_mirrored_from_library():
    digest = "sha256:" + "a" * 64
    program = azure_program({"proxyImage": f"nginx:1.31.0-alpine@{digest}"})
    rules = {(r.inputs["sourceRepository"], r.inputs["targetRepository"]) for r in program.of_type(CACHE_RULE)}
    assert ("docker.io/library/nginx", "library/nginx") in rules and not any(s == "docker.io/nginx" for s, _ in rules)


def test_docker_hub_credentials_go_only_to_the_rules_that_pull_from_docker_hub():
    digest = "sha256:" + "b" * 64
    program = azure_program(DOCKER_HUB | {"lokiImage": f"ghcr.io/grafana/loki:3.7.9@{digest}"})
    credentials = {r.inputs["sourceRepository"]: r.inputs.get("credentialSetResourceId")
                   for r in program.of_type(CACHE_RULE)}
    assert credentials.pop("ghcr.io/grafana/loki") is None
    assert credentials and set(credentials.values()) == {"azure-dockerhub-credentials-id"}
    assert all(source.startswith("docker.io/") for source in credentials)
