"""The stack's secret catalog: which secrets exist follows from the Refs the deployed specs make (plus the
deploy's own few), each comes from the source its settings say, an unknown Ref fails loudly, and
StackSecrets declares exactly the catalog, given values secret."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pulumi
import pytest
from pulumi.runtime.sync_await import _sync_await

from components import constants as c
from components import secret_names as names
from components import targets
from components.model import ContainerSpec, File, Ref, Reload, frozen_env
from components.rotation import current_window
from components.settings import Secret, Settings
from components.targets.secret_catalog import (Generated, Given, SecretSourceError, SelfSigned, Source,
                                               deploy_needs, secret_catalog)
from components.targets.secrets import StackSecrets
from tests.equivalence import CONFIGURATIONS
from tests.unit.pulumi_harness import RecordingMocks, RecordingMonitor, stack_settings

PASSWORD = "random:index/randomPassword:RandomPassword"
GIVEN_VALUE = "given-secret-value-0123456789"


def deploy_settings(configuration: str) -> Settings:
    """The settings a deploy of one equivalence configuration reads (secrets known, deploying=True)."""
    stack, overrides, secrets = CONFIGURATIONS[configuration]
    return stack_settings(stack, overrides, secrets)


def deployed_specs(settings: Settings) -> tuple[ContainerSpec, ...]:
    """What __main__.py hands the chosen target."""
    return targets.chosen(settings.environment).specs(settings)


def catalog_of(configuration: str) -> dict[str, Source]:
    settings = deploy_settings(configuration)
    return dict(secret_catalog(settings, deployed_specs(settings)))


def describe(source: Source) -> str:
    if isinstance(source, Generated):
        return f"generated {'rotated' if source.rotated else 'kept'}"
    if isinstance(source, Given):
        return f"given {source.setting}"
    assert isinstance(source, SelfSigned)
    return f"self-signed {source.part}"


def referenced(specs: tuple[ContainerSpec, ...]) -> set[str]:
    """The names the specs refer to where a target resolves them: env values, file contents, reload passwords."""
    refs = [v for s in specs for v in s.env.values()] + [f.content for s in specs for f in s.files] + \
        [s.reload.password for s in specs if s.reload]
    return {ref.name for ref in refs if isinstance(ref, Ref)}


GRAFANA_GENERATED = {names.GRAFANA_ADMIN_PASSWORD: "generated rotated", names.GRAFANA_SECRET_KEY: "generated kept"}
SELF_SIGNED = {names.TLS_CERTIFICATE: "self-signed certificate", names.TLS_PRIVATE_KEY: "self-signed private_key"}
PEM = {names.TLS_CERTIFICATE: "given tlsCertificatePem", names.TLS_PRIVATE_KEY: "given tlsPrivateKeyPem"}
READONLY = {names.POSTGRES_READONLY_PASSWORD: "generated rotated"}
PLATFORM_POSTGRES = {**READONLY, names.POSTGRES_ADMIN_PASSWORD: "given postgresAdminPassword"}
GITHUB = {names.GRAFANA_GITHUB_CLIENT_SECRET: "given grafanaGithubClientSecret"}

EXPECTED = {
    "local": {**GRAFANA_GENERATED, **READONLY, names.POSTGRES_ADMIN_PASSWORD: "generated kept", **SELF_SIGNED},
    "local-platform": {**GRAFANA_GENERATED, **PLATFORM_POSTGRES, **SELF_SIGNED},
    "local-pem-webhook": {**GRAFANA_GENERATED, names.GRAFANA_ADMIN_PASSWORD: "given grafanaAdminPassword",
                          **READONLY, names.POSTGRES_ADMIN_PASSWORD: "generated kept", **PEM,
                          names.ALERT_CONTACT_URL: "given alertContactUrl",
                          names.REDIS_PASSWORD: "given redisPassword"},
    "local-email": {**GRAFANA_GENERATED, **READONLY, names.POSTGRES_ADMIN_PASSWORD: "generated kept", **SELF_SIGNED,
                    names.SMTP_PASSWORD: "given smtpPassword"},
    "azure-dev": {**GRAFANA_GENERATED, **PLATFORM_POSTGRES},  # host-files TLS: no certificate in the stack
    "azure-dev-bare": GRAFANA_GENERATED,
    "azure-dev-any-source-pem": {**GRAFANA_GENERATED, names.GRAFANA_ADMIN_PASSWORD: "given grafanaAdminPassword",
                                 **PLATFORM_POSTGRES, **PEM},
    "azure-dev-credential-set-teams": {**GRAFANA_GENERATED, **PLATFORM_POSTGRES,
                                       names.ALERT_CONTACT_URL: "given alertContactUrl"},
    "aks-dev": GRAFANA_GENERATED,  # the ingress terminates TLS
    "aks-dev-blob-account-key": {**GRAFANA_GENERATED, names.AZURE_STORAGE_KEY: "given azureStorageAccountKey"},
    "aks-dev-existing-tls-secret": {**GRAFANA_GENERATED, names.SMTP_PASSWORD: "given smtpPassword"},
    "railway": {**GRAFANA_GENERATED, **GITHUB},
    "railway-postgres-registry": {**GRAFANA_GENERATED, **GITHUB, **PLATFORM_POSTGRES,
                                  names.RAILWAY_REGISTRY_PASSWORD: "given railwayRegistryPassword"},
    "railway-grafana-cloud": {**GRAFANA_GENERATED, names.GRAFANA_CLOUD_TOKEN: "given grafanaCloudToken"},
}


@pytest.mark.parametrize("configuration", sorted(EXPECTED))
def test_each_secret_comes_from_the_source_its_settings_say(configuration):
    assert {key: describe(source) for key, source in catalog_of(configuration).items()} == EXPECTED[configuration]


@pytest.mark.parametrize("configuration", sorted(CONFIGURATIONS))
def test_the_catalog_is_what_the_deployed_specs_refer_to_and_the_deploy_needs(configuration):
    settings = deploy_settings(configuration)
    specs = deployed_specs(settings)
    wanted = referenced(specs)
    assert wanted, "every stack's specs refer to some secret"
    assert set(secret_catalog(settings, specs)) == wanted | set(deploy_needs(settings))


def test_the_grafana_secrets_exist_without_a_grafana_spec_for_the_deploy_itself():
    settings = deploy_settings("railway-grafana-cloud")
    assert {s.service for s in deployed_specs(settings)} == {c.ALLOY}
    assert {names.GRAFANA_ADMIN_PASSWORD, names.GRAFANA_SECRET_KEY} <= set(catalog_of("railway-grafana-cloud"))


def test_refs_in_env_files_and_the_reload_password_all_enter_the_catalog():
    settings = deploy_settings("local-pem-webhook")
    spec = ContainerSpec(service="probe", name="obs-probe", image=settings.images[c.GRAFANA],
                         env=frozen_env(URL=Ref(names.ALERT_CONTACT_URL)),
                         files=(File("/run/secrets/redis", Ref(names.REDIS_PASSWORD, template="password: {}")),),
                         reload=Reload("/etc/probe", ("http://probe/reload",), "admin",
                                       Ref(names.POSTGRES_READONLY_PASSWORD)))
    catalog = secret_catalog(settings, (spec,))
    assert {names.ALERT_CONTACT_URL, names.REDIS_PASSWORD, names.POSTGRES_READONLY_PASSWORD} <= set(catalog)


def test_a_ref_with_no_known_source_is_one_clear_error():
    settings = deploy_settings("local")
    spec = replace(deployed_specs(settings)[0], env=frozen_env(TOKEN=Ref("vault_token")))
    with pytest.raises(SecretSourceError, match=rf"no source for the secret 'vault_token' that {spec.service} "
                                                "refers to"):
        secret_catalog(settings, (spec,))


def test_a_ref_to_a_given_secret_whose_setting_is_unset_names_the_setting():
    settings = deploy_settings("local")  # no SMTP relay login
    spec = replace(deployed_specs(settings)[0], env=frozen_env(PASSWORD=Ref(names.SMTP_PASSWORD)))
    with pytest.raises(SecretSourceError, match="refers to the secret 'smtp_password', but its setting "
                                                "smtpPassword is not set"):
        secret_catalog(settings, (spec,))


def test_the_catalog_never_shows_a_given_value():
    settings = deploy_settings("local-pem-webhook")
    catalog = secret_catalog(settings, deployed_specs(settings))
    assert isinstance(catalog[names.REDIS_PASSWORD], Given)
    given = CONFIGURATIONS["local-pem-webhook"][2]["redisPassword"]
    assert given not in repr(dict(catalog)) and "Secret([secret])" in repr(dict(catalog))


def declare(catalog: dict[str, Source]) -> tuple[StackSecrets, list]:
    """StackSecrets under Pulumi's mocks: the component and the resources it registered."""
    mocks = RecordingMocks()
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.settings.ROOT.set(None)
    pulumi.runtime.set_mocks(mocks, project=c.PROJECT, stack="catalog", monitor=monitor)
    declared: list[StackSecrets] = []

    @pulumi.runtime.test
    def run():
        declared.append(StackSecrets("secrets", catalog, current_window(30, date(2026, 12, 1))))

    run()
    return declared[0], monitor.registered


def test_stack_secrets_declares_exactly_the_generated_entries():
    catalog = catalog_of("local-pem-webhook")
    _, registered = declare(catalog)
    generated = {f"secrets-{s.resource}" for s in catalog.values() if isinstance(s, Generated)}
    assert generated and {r.name for r in registered} == generated
    rotated = {r.name for r in registered if r.typ == PASSWORD and "keepers" in r.inputs}
    assert rotated == {f"secrets-{s.resource}" for s in catalog.values() if isinstance(s, Generated) and s.rotated}


def test_a_self_signed_certificate_is_declared_once_for_both_parts():
    secrets, registered = declare(catalog_of("local"))
    assert sorted(r.typ for r in registered if r.typ.startswith("tls:")) == ["tls:index/privateKey:PrivateKey",
                                                                           "tls:index/selfSignedCert:SelfSignedCert"]
    assert _sync_await(secrets.values[names.TLS_PRIVATE_KEY].is_secret())


def test_a_given_secret_stays_secret():
    catalog = {names.SMTP_PASSWORD: Given("smtpPassword", Secret(GIVEN_VALUE))}
    secrets, registered = declare(catalog)
    assert registered == []
    value = secrets.values[names.SMTP_PASSWORD]
    assert _sync_await(value.is_secret()) and _sync_await(value.future()) == GIVEN_VALUE
