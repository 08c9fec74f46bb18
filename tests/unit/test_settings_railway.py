"""Railway settings: each mistake is refused with one message naming the key and what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.settings import Secret, SettingsError, parse

ROOT = Path(__file__).resolve().parents[2]
DEPLOYABLE = {"environment": "railway", "railwayImageRegistry": "ghcr.io/acme/observability",
              "grafanaGithubClientId": "Iv1.abc", "grafanaGithubAllowedOrganizations": ["acme"],
              "railwayToken": Secret("t"), "grafanaGithubClientSecret": Secret("s")}
SECRET_KEYS = {"railwayToken", "grafanaGithubClientSecret"}


def problems(raw: dict, secret_keys: set[str] = SECRET_KEYS, deploying: bool = True) -> list[str]:
    with pytest.raises(SettingsError) as caught:
        parse("railway", raw, secret_keys, ROOT, deploying=deploying)
    return caught.value.problems


def test_a_deployable_self_hosted_stack_is_accepted():
    railway = parse("railway", DEPLOYABLE, SECRET_KEYS, ROOT).railway
    assert railway is not None and railway.oauth.allowed_organizations == ("acme",)


def test_a_region_outside_railways_list_is_refused():
    (problem,) = problems({**DEPLOYABLE, "railwayRegion": "mars-1"})
    assert problem.startswith("observability:railwayRegion = ") and "mars-1" in problem
    assert "europe-west4-drams3a" in problem


def test_an_oauth_client_without_an_organization_is_refused_even_in_a_render():
    (problem,) = problems({"environment": "railway", "grafanaGithubClientId": "Iv1.abc"}, set(), deploying=False)
    assert "grafanaGithubAllowedOrganizations" in problem and "any GitHub user" in problem


def test_a_malformed_organization_is_refused():
    (problem,) = problems({**DEPLOYABLE, "grafanaGithubAllowedOrganizations": ["acme inc"]})
    assert "GitHub organization logins" in problem


def test_a_registry_user_without_its_password_is_refused():
    (problem,) = problems({**DEPLOYABLE, "railwayRegistryUsername": "bot"})
    assert problem.startswith("observability:railwayRegistryUsername")


def test_deploying_without_a_token_names_both_ways_to_give_one(monkeypatch):
    monkeypatch.delenv("RAILWAY_TOKEN", raising=False)
    raw = {k: v for k, v in DEPLOYABLE.items() if k != "railwayToken"}
    (problem,) = problems(raw)
    assert "railwayToken" in problem and "RAILWAY_TOKEN" in problem


def test_railway_token_in_the_environment_is_enough(monkeypatch):
    monkeypatch.setenv("RAILWAY_TOKEN", "from-env")
    raw = {k: v for k, v in DEPLOYABLE.items() if k != "railwayToken"}
    assert parse("railway", raw, SECRET_KEYS, ROOT).railway is not None


def test_grafana_cloud_needs_every_endpoint_user_and_the_token():
    found = problems({"environment": "railway", "railwayMode": "grafana-cloud", "railwayToken": Secret("t"),
                      "railwayImageRegistry": "ghcr.io/a/b"})
    keys = {p.split(" = ")[0].removeprefix("observability:") for p in found}
    assert keys == {"grafanaCloudLokiUrl", "grafanaCloudLokiUser", "grafanaCloudPrometheusUrl",
                    "grafanaCloudPrometheusUser", "grafanaCloudTempoEndpoint", "grafanaCloudTempoUser",
                    "grafanaCloudToken"}


def test_a_plain_http_grafana_cloud_url_is_refused():
    found = problems({"environment": "railway", "railwayMode": "grafana-cloud",
                      "grafanaCloudLokiUrl": "http://logs.example/push"}, set(), deploying=False)
    (problem,) = found
    assert problem.startswith("observability:grafanaCloudLokiUrl = ") and "http://logs.example/push" in problem
    assert problem.endswith("must be an https:// URL, https://<host>[:port]/<path> without user, query or fragment "
                            "(as the Grafana Cloud portal shows it)")


def test_a_cleartext_grafana_cloud_token_is_refused():
    found = problems({"environment": "railway", "railwayMode": "grafana-cloud", "grafanaCloudToken": "glc_plain"},
                     set(), deploying=False)
    (problem,) = found
    assert problem.startswith("observability:grafanaCloudToken = ") and "glc_plain" not in problem
    assert problem.endswith("must be set as a secret: pulumi config set --secret grafanaCloudToken")


def test_a_railway_key_in_another_environment_is_refused_not_ignored():
    found = problems({"environment": "local", "grafanaGithubClientId": "Iv1.abc"}, set(), deploying=False)
    assert any(p.startswith("observability:grafanaGithubClientId") and "railway" in p for p in found)


def test_a_secret_railway_key_in_another_environment_is_refused_too():
    found = problems({"environment": "local", "railwayToken": Secret("[secret]", known=False)}, {"railwayToken"},
                     deploying=False)
    assert any(p.startswith("observability:railwayToken") and "applies only to environment railway" in p
               for p in found)
