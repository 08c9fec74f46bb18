"""Railway settings (environment: railway): the API token, where the stack lives, GitHub OAuth for
self-hosted Grafana, and the Grafana Cloud endpoints for the Alloy-only mode. Validated here only."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from components.constants import RAILWAY_TOKEN_ENV as TOKEN_ENV
from components.settings import formats as f
from components.settings.reader import IMAGE_PREFIX, Reader
from components.settings.secret import Secret

MODES = ("self-hosted", "grafana-cloud")
# Keys only the railway environment reads (set elsewhere they are refused as silently ignored).
RAILWAY_KEYS = ("railwayMode", "railwayToken", "railwayProjectName", "railwayEnvironmentName", "railwayWorkspaceId",
                "railwayRegion", "railwayImageRegistry", "railwayRegistryUsername", "railwayRegistryPassword",
                "grafanaGithubClientId", "grafanaGithubClientSecret", "grafanaGithubAllowedOrganizations",
                "grafanaGithubRoleAttributePath", "grafanaBreakGlassAdmin", "grafanaCloudLokiUrl",
                "grafanaCloudLokiUser", "grafanaCloudPrometheusUrl", "grafanaCloudPrometheusUser",
                "grafanaCloudTempoEndpoint", "grafanaCloudTempoUser", "grafanaCloudToken")
OAUTH_KEYS = ("grafanaGithubClientId", "grafanaGithubClientSecret", "grafanaGithubAllowedOrganizations",
              "grafanaGithubRoleAttributePath", "grafanaBreakGlassAdmin")
CLOUD_KEYS = tuple(k for k in RAILWAY_KEYS if k.startswith("grafanaCloud"))
REGIONS = ("us-west2", "us-east4-eqdc4a", "europe-west4-drams3a", "asia-southeast1-eqsg3a")
GITHUB_ORG = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")


@dataclass(frozen=True)
class GithubOAuth:
    client_id: str
    client_secret: Secret | None
    allowed_organizations: tuple[str, ...]
    role_attribute_path: str
    keep_local_admin: bool  # break-glass: the local admin and the login form stay on


@dataclass(frozen=True)
class GrafanaCloud:
    loki_url: str
    loki_user: str
    prometheus_url: str
    prometheus_user: str
    tempo_endpoint: str  # host:443 of Grafana Cloud Tempo's OTLP/gRPC ingest
    tempo_user: str
    token: Secret | None  # one access-policy token with logs:write, metrics:write, traces:write


@dataclass(frozen=True)
class Railway:
    mode: str
    token: Secret | None
    project_name: str
    environment_name: str
    workspace_id: str
    region: str
    image_registry: str  # where the images with the rendered config baked in are pushed
    registry_username: str
    registry_password: Secret | None
    oauth: GithubOAuth
    cloud: GrafanaCloud

    @property
    def self_hosted(self) -> bool:
        return self.mode == "self-hosted"


def parse_railway(r: Reader, deploying: bool) -> Railway:
    mode = r.string("railwayMode", MODES)
    railway = Railway(
        mode, r.secret("railwayToken"), r.string("railwayProjectName", fmt=f.RAILWAY_NAME, required=True),
        r.string("railwayEnvironmentName", fmt=f.RAILWAY_NAME, required=True),
        r.string("railwayWorkspaceId", fmt=f.UUID), r.string("railwayRegion"),
        r.string("railwayImageRegistry").rstrip("/"), r.string("railwayRegistryUsername", fmt=f.LOGIN),
        r.secret("railwayRegistryPassword"),
        GithubOAuth(r.string("grafanaGithubClientId", fmt=f.OAUTH_CLIENT_ID), r.secret("grafanaGithubClientSecret"),
                    r.strings("grafanaGithubAllowedOrganizations"), r.string("grafanaGithubRoleAttributePath"),
                    r.boolean("grafanaBreakGlassAdmin")),
        GrafanaCloud(r.string("grafanaCloudLokiUrl", fmt=f.HTTPS_URL), r.string("grafanaCloudLokiUser", fmt=f.DIGITS),
                     r.string("grafanaCloudPrometheusUrl", fmt=f.HTTPS_URL),
                     r.string("grafanaCloudPrometheusUser", fmt=f.DIGITS),
                     r.string("grafanaCloudTempoEndpoint", fmt=f.HOST_PORT),
                     r.string("grafanaCloudTempoUser", fmt=f.DIGITS), r.secret("grafanaCloudToken")))
    # The other mode's keys would be silently ignored: refused, as keys of another environment are.
    for key in CLOUD_KEYS if railway.self_hosted else OAUTH_KEYS:
        if r.is_set(key):
            r.problem(key, "[secret]" if key in r.secret_keys else r.raw[key], "applies only to railwayMode "
                      f"{'grafana-cloud' if railway.self_hosted else 'self-hosted'} (this stack is {mode}): remove it")
    _check_project(r, railway, deploying)
    if railway.self_hosted:
        _check_oauth(r, railway.oauth, deploying)
    else:
        _check_cloud(r, railway.cloud, deploying)
    return railway


def _check_project(r: Reader, railway: Railway, deploying: bool) -> None:
    if railway.region and railway.region not in REGIONS:
        r.problem("railwayRegion", railway.region,
                  f"allowed values are {' | '.join(REGIONS)} (empty: Railway's default)")
    if railway.image_registry and not IMAGE_PREFIX.match(railway.image_registry):
        r.problem("railwayImageRegistry", railway.image_registry,
                  "must be a registry host with a path, e.g. ghcr.io/acme/observability")
    if bool(railway.registry_username) != (railway.registry_password is not None):
        r.problem("railwayRegistryUsername", railway.registry_username,
                  "set together with the secret railwayRegistryPassword (or neither, for a public registry "
                  "and your `docker login`)")
    if not deploying:
        return
    if railway.token is None and not os.environ.get(TOKEN_ENV):
        r.problem("railwayToken", "", "required to deploy: pulumi config set --secret railwayToken "
                  f"(an account or workspace token), or export {TOKEN_ENV}")
    if not railway.image_registry:
        r.problem("railwayImageRegistry", "", "required to deploy: the registry the images with the rendered "
                  "config files are pushed to and Railway pulls from, e.g. ghcr.io/acme/observability")


def _check_oauth(r: Reader, oauth: GithubOAuth, deploying: bool) -> None:
    for org in oauth.allowed_organizations:
        if not GITHUB_ORG.match(org):
            r.problem("grafanaGithubAllowedOrganizations", org, "must be GitHub organization logins, e.g. [\"acme\"]")
    if (oauth.client_id or deploying) and not oauth.allowed_organizations:
        r.problem("grafanaGithubAllowedOrganizations", [], "required for GitHub sign-in on Railway: without an "
                  "organization any GitHub user could sign up (e.g. [\"acme\"])")
    if deploying and not oauth.client_id:
        r.problem("grafanaGithubClientId", "", "required for the self-hosted Railway mode (GitHub OAuth app "
                  "client id; callback https://<grafana domain>/login/github)")
    if deploying and oauth.client_secret is None:
        r.problem("grafanaGithubClientSecret", "", "required for the self-hosted Railway mode: "
                  "pulumi config set --secret grafanaGithubClientSecret")
    if not oauth.role_attribute_path.strip():
        r.problem("grafanaGithubRoleAttributePath", "", "must be a JMESPath mapping to Admin | Editor | Viewer, "
                  "e.g. contains(groups[*], '@acme/sre') && 'Admin' || 'Viewer'")


def _check_cloud(r: Reader, cloud: GrafanaCloud, deploying: bool) -> None:
    endpoints = (("grafanaCloudLokiUrl", cloud.loki_url, "grafanaCloudLokiUser", cloud.loki_user),
                 ("grafanaCloudPrometheusUrl", cloud.prometheus_url, "grafanaCloudPrometheusUser",
                  cloud.prometheus_user),
                 ("grafanaCloudTempoEndpoint", cloud.tempo_endpoint, "grafanaCloudTempoUser", cloud.tempo_user))
    for url_key, url, user_key, user in endpoints:
        if deploying and not url:
            r.problem(url_key, "", "required for the grafana-cloud Railway mode (Grafana Cloud portal → stack details)")
        if deploying and not user:
            r.problem(user_key, "", "required for the grafana-cloud Railway mode (the numeric instance/user id)")
    if deploying and cloud.token is None:
        r.problem("grafanaCloudToken", "", "required for the grafana-cloud Railway mode: "
                  "pulumi config set --secret grafanaCloudToken (an access-policy token with write scopes)")
