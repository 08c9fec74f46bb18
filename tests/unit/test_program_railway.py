"""The real program for the railway stack under Pulumi mocks, in both modes: the Railway objects it
declares, Grafana's GitHub sign-in, and the API token nowhere in inputs or the pickled providers."""

from __future__ import annotations

import base64
import json

import dill
import pulumi
import pytest

from tests.unit.pulumi_harness import Program, run_program

DYNAMIC = "pulumi-python:dynamic:Resource"
TOKEN = "railway-token-must-not-leak-8d1f"
SELF_HOSTED = {"railwayImageRegistry": "ghcr.io/acme/observability", "grafanaGithubClientId": "Iv1.abc",
               "grafanaGithubAllowedOrganizations": ["acme", "acme-sre"],
               "grafanaGithubRoleAttributePath": "contains(groups[*], '@acme/sre') && 'Admin' || 'Viewer'"}
CLOUD = {"railwayMode": "grafana-cloud", "railwayImageRegistry": "ghcr.io/acme/observability",
         "grafanaCloudLokiUrl": "https://logs-prod-012.grafana.net/loki/api/v1/push", "grafanaCloudLokiUser": "1",
         "grafanaCloudPrometheusUrl": "https://prometheus-prod-24-prod-eu-west-2.grafana.net/api/prom/push",
         "grafanaCloudPrometheusUser": "2", "grafanaCloudTempoEndpoint": "tempo-prod-10-prod-eu-west-2.grafana.net:443",
         "grafanaCloudTempoUser": "3"}


@pytest.fixture(scope="module")
def self_hosted() -> Program:
    return run_program("railway", overrides=SELF_HOSTED,
                       secrets={"railwayToken": TOKEN, "grafanaGithubClientSecret": "gh-client-secret"})


@pytest.fixture(scope="module")
def cloud() -> Program:
    return run_program("railway", overrides=CLOUD, secrets={"railwayToken": TOKEN, "grafanaCloudToken": "glc_x"})


def of_kind(program: Program, suffix: str):
    return {r.name.removeprefix("observability-").removesuffix(f"-{suffix}"): r
            for r in program.of_type(DYNAMIC) if r.name.endswith(f"-{suffix}")}


def test_self_hosted_declares_the_five_services_the_canary_and_no_proxy(self_hosted):
    names = sorted(r.inputs["name"] for r in of_kind(self_hosted, "service").values())
    assert names == ["alloy", "canary", "grafana", "loki", "prometheus", "tempo"]
    assert not self_hosted.of_type("docker:index/container:Container")


def test_only_grafana_has_a_domain(self_hosted):
    assert list(of_kind(self_hosted, "domain")) == ["grafana"]
    assert of_kind(self_hosted, "domain")["grafana"].inputs["target_port"] == 3000


def test_every_stateful_service_has_one_volume(self_hosted):
    mounts = {name: r.inputs["mount_path"] for name, r in of_kind(self_hosted, "volume").items()}
    assert mounts == {"grafana": "/var/lib/grafana", "loki": "/loki", "tempo": "/var/tempo",
                      "prometheus": "/prometheus", "alloy": "/var/lib/alloy/data"}


def test_every_object_the_stack_stamps_names_this_program_and_stack_as_its_owner(self_hosted):
    stamped = [r for kind in ("project", "environment", "service", "variables")
               for r in of_kind(self_hosted, kind).values()]
    services = len(of_kind(self_hosted, "service"))
    assert services == 6  # the five services and the canary, each with its variables
    assert len(stamped) == 2 + 2 * services and all(r.inputs["owner"] == "observability/railway" for r in stamped)


def test_grafana_signs_in_with_github_limited_to_the_allowed_organizations(self_hosted):
    env = of_kind(self_hosted, "variables")["grafana"].inputs["variables"]
    assert env["GF_AUTH_GITHUB_ENABLED"] == "true" and env["GF_AUTH_GITHUB_CLIENT_ID"] == "Iv1.abc"
    assert env["GF_AUTH_GITHUB_ALLOWED_ORGANIZATIONS"] == "acme,acme-sre"
    assert env["GF_AUTH_GITHUB_CLIENT_SECRET"] == "gh-client-secret"
    assert env["GF_AUTH_GITHUB_ROLE_ATTRIBUTE_STRICT"] == "true"
    assert env["GF_AUTH_DISABLE_LOGIN_FORM"] == "true" and env["GF_AUTH_BASIC_ENABLED"] == "false"
    assert env["GF_SERVER_ROOT_URL"] == "https://${{RAILWAY_PUBLIC_DOMAIN}}/"


def test_break_glass_keeps_the_local_login_form():
    program = run_program("railway", overrides={**SELF_HOSTED, "grafanaBreakGlassAdmin": True},
                          secrets={"railwayToken": TOKEN, "grafanaGithubClientSecret": "s"})
    env = of_kind(program, "variables")["grafana"].inputs["variables"]
    assert env["GF_AUTH_DISABLE_LOGIN_FORM"] == "false" and env["GF_AUTH_BASIC_ENABLED"] == "true"


def test_variables_are_registered_as_secrets(self_hosted):
    for name, resource in of_kind(self_hosted, "variables").items():
        assert "variables" in resource.secret_paths, name


def test_alloy_reaches_the_backends_through_private_domain_references(self_hosted):
    env = of_kind(self_hosted, "variables")["alloy"].inputs["variables"]
    assert env["LOKI_PUSH_URL"] == "http://${{loki.RAILWAY_PRIVATE_DOMAIN}}:3100/loki/api/v1/push"
    assert env["TEMPO_OTLP_ENDPOINT"] == "${{tempo.RAILWAY_PRIVATE_DOMAIN}}:4317"


def test_each_instance_runs_its_pushed_image_by_digest_with_a_health_check(self_hosted):
    for name, resource in of_kind(self_hosted, "instance").items():
        inputs = resource.inputs
        assert inputs["image"].startswith(f"ghcr.io/acme/observability/{name}@sha256:"), name
        # The canary serves no HTTP: Railway restarts it when its script exits (ON_FAILURE).
        assert (inputs.get("healthcheck_path") or name == "canary") and inputs["restart_policy"] == "ON_FAILURE", name


def test_one_deployment_per_service_after_every_service_is_configured(self_hosted):
    deploys = of_kind(self_hosted, "deploy")
    assert sorted(deploys) == ["alloy", "canary", "grafana", "loki", "prometheus", "tempo"]
    assert all("revision" in d.secret_paths for d in deploys.values())


def test_grafana_url_is_the_railway_domain(self_hosted):
    seen: list[str] = []

    @pulumi.runtime.test
    def resolve():
        return self_hosted.globals["deployed"].grafana_url.apply(seen.append)

    resolve()
    assert seen == ["https://grafana-production.up.railway.app/"]  # the domain the mocks say Railway made


def test_grafana_cloud_mode_runs_alloy_alone_with_basic_auth_from_the_secret(cloud):
    services = of_kind(cloud, "service")
    assert list(services) == ["alloy"] and not of_kind(cloud, "domain")
    env = of_kind(cloud, "variables")["alloy"].inputs["variables"]
    assert env["GRAFANA_CLOUD_TOKEN"] == "glc_x" and env["GRAFANA_CLOUD_LOKI_USER"] == "1"
    assert env["GRAFANA_CLOUD_TEMPO_ENDPOINT"] == "tempo-prod-10-prod-eu-west-2.grafana.net:443"


def _every_registration_text(program: Program) -> str:
    return json.dumps([r.inputs for r in program.resources], default=str)


@pytest.mark.parametrize("mode", ["self_hosted", "cloud"])
def test_the_token_is_in_no_resource_input(request, mode):
    assert TOKEN not in _every_registration_text(request.getfixturevalue(mode))


@pytest.mark.parametrize("mode", ["self_hosted", "cloud"])
def test_the_pickled_providers_hold_no_token_and_no_state(request, mode):
    """Each provider as the engine runs it (configured with the token), pickled again: no token inside."""
    from pulumi.dynamic.dynamic import serialize_provider

    from tests.unit.railway_fake import FakeRailway, wire

    providers = {r.inputs["__provider"] for r in request.getfixturevalue(mode).of_type(DYNAMIC)}
    assert providers
    for serialized in providers:
        provider = wire(dill.loads(base64.b64decode(serialized)), FakeRailway(), token=TOKEN)
        assert provider.client()._token == TOKEN  # configured: the token is really there to leak
        provider.transport = provider.sleep = provider.clock = None  # what a deploy has: nothing but the token
        raw = base64.b64decode(serialize_provider(provider))
        assert TOKEN.encode() not in raw
        assert not {k: v for k, v in vars(dill.loads(raw)).items() if "token" in k.lower()}


def test_self_hosted_without_an_allowed_organization_is_refused():
    with pytest.raises(pulumi.RunError, match="grafanaGithubAllowedOrganizations") as caught:
        run_program("railway", overrides={**SELF_HOSTED, "grafanaGithubAllowedOrganizations": []},
                    secrets={"railwayToken": TOKEN, "grafanaGithubClientSecret": "s"})
    assert "Traceback" not in str(caught.value)


def test_grafana_cloud_without_credentials_is_refused():
    with pytest.raises(pulumi.RunError, match="grafanaCloudToken"):
        run_program("railway", overrides=CLOUD, secrets={"railwayToken": TOKEN})


def test_a_cleartext_token_is_refused():
    with pytest.raises(pulumi.RunError, match="railwayToken.*must be set as a secret"):
        run_program("railway", overrides={**SELF_HOSTED, "railwayToken": TOKEN},
                    secrets={"grafanaGithubClientSecret": "s"})


def test_the_railway_stack_validates_its_mode():
    with pytest.raises(pulumi.RunError, match="observability:railwayMode"):
        run_program("railway", overrides={"railwayMode": "cloud"})


def test_registry_credentials_push_the_images_and_let_railway_pull_them_as_secrets():
    program = run_program("railway", overrides={**SELF_HOSTED, "railwayRegistryUsername": "bot"},
                          secrets={"railwayToken": TOKEN, "grafanaGithubClientSecret": "s",
                                   "railwayRegistryPassword": "registry-pass"})
    image = next(r for r in program.of_type("docker:index/image:Image") if r.name.endswith("loki-image"))
    assert image.inputs["registry"] == {"server": "ghcr.io", "username": "bot", "password": "registry-pass"}
    assert "registry.password" in image.secret_paths
    instance = of_kind(program, "instance")["loki"]
    assert instance.inputs["registry_username"] == "bot" and "registry_password" in instance.secret_paths


def test_with_the_platform_database_the_role_job_runs_once_beside_the_five_services():
    program = run_program("railway", overrides={**SELF_HOSTED, "postgresEnabled": True,
                                                "postgresHost": "postgres.railway.internal"},
                          secrets={"railwayToken": TOKEN, "grafanaGithubClientSecret": "s"})
    job = of_kind(program, "instance")["postgres-readonly"]
    assert job.inputs["restart_policy"] == "NEVER" and "postgres-readonly" not in of_kind(program, "volume")
    grafana = of_kind(program, "variables")["grafana"].inputs["variables"]
    assert grafana["POSTGRES_HOST"] == "postgres.railway.internal"
    assert grafana["POSTGRES_READONLY_PASSWORD"].startswith("generated-secrets-postgres-readonly-password")
    assert of_kind(program, "variables")["postgres-readonly"].inputs["variables"]["PGPASSWORD"] == \
        "test-secret-value-0123456789-abcdefghijklmnop"


def test_only_the_role_job_is_deployed_to_completion():
    program = run_program("railway", overrides={**SELF_HOSTED, "postgresEnabled": True,
                                                "postgresHost": "postgres.railway.internal"},
                          secrets={"railwayToken": TOKEN, "grafanaGithubClientSecret": "s"})
    awaited = {name for name, r in of_kind(program, "deploy").items() if r.inputs["run_to_completion"]}
    assert awaited == {"postgres-readonly"} and len(of_kind(program, "deploy")) == 7
