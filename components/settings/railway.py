"""Railway settings (environment: railway): the API token, where the stack lives, GitHub OAuth for
self-hosted Grafana, and the Grafana Cloud endpoints for the Alloy-only mode. Validated here only."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from components.constants import RAILWAY_TOKEN_ENV as TOKEN_ENV
from components.settings.reader import IMAGE_PREFIX, Reader
from components.settings.types import Secret

# Keys only the railway environment reads (set elsewhere they are refused as silently ignored).
RAILWAY_KEYS = ("railwayToken", "railwayProjectName", "railwayEnvironmentName", "railwayWorkspaceId", "railwayRegion",
                "railwayImageRegistry", "railwayRegistryUsername", "railwayRegistryPassword", "grafanaGithubClientId",
                "grafanaGithubClientSecret", "grafanaGithubAllowedOrganizations", "grafanaGithubRoleAttributePath",
                "grafanaBreakGlassAdmin", "grafanaCloudLokiUrl", "grafanaCloudLokiUser", "grafanaCloudPrometheusUrl",
                "grafanaCloudPrometheusUser", "grafanaCloudTempoEndpoint", "grafanaCloudTempoUser",
                "grafanaCloudToken")
REGIONS = ("us-west2", "us-east4-eqdc4a", "europe-west4-drams3a", "asia-southeast1-eqsg3a")
GITHUB_ORG = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
HTTPS_URL = re.compile(r"^https://[^\s/]+(/\S*)?$")
HOST_PORT = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?:\d{1,5}$")


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


def parse_railway(r: Reader, mode: str, deploying: bool) -> Railway:
    railway = Railway(
        mode, r.secret("railwayToken"), r.string("railwayProjectName"), r.string("railwayEnvironmentName"),
        r.string("railwayWorkspaceId"), r.string("railwayRegion"), r.string("railwayImageRegistry").rstrip("/"),
        r.string("railwayRegistryUsername"), r.secret("railwayRegistryPassword"),
        GithubOAuth(r.string("grafanaGithubClientId"), r.secret("grafanaGithubClientSecret"),
                    r.strings("grafanaGithubAllowedOrganizations"), r.string("grafanaGithubRoleAttributePath"),
                    r.boolean("grafanaBreakGlassAdmin")),
        GrafanaCloud(r.string("grafanaCloudLokiUrl"), r.string("grafanaCloudLokiUser"),
                     r.string("grafanaCloudPrometheusUrl"), r.string("grafanaCloudPrometheusUser"),
                     r.string("grafanaCloudTempoEndpoint"), r.string("grafanaCloudTempoUser"),
                     r.secret("grafanaCloudToken")))
    _check_project(r, railway, deploying)
    if railway.self_hosted:
        _check_oauth(r, railway.oauth, deploying)
    else:
        _check_cloud(r, railway.cloud, deploying)
    return railway


def _check_project(r: Reader, railway: Railway, deploying: bool) -> None:
    if not railway.project_name or len(railway.project_name) > 64:
        r.problem("railwayProjectName", railway.project_name, "must be a project name of 1 to 64 characters")
    if not railway.environment_name:
        r.problem("railwayEnvironmentName", "", "must name the Railway environment, e.g. production")
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
        if url_key == "grafanaCloudTempoEndpoint":
            if url and not HOST_PORT.match(url):
                r.problem(url_key, url, "must be host:port, e.g. tempo-prod-04-prod-us-east-0.grafana.net:443")
        elif url and not HTTPS_URL.match(url):
            r.problem(url_key, url, "must be an https:// URL from the Grafana Cloud portal")
        if deploying and not url:
            r.problem(url_key, "", "required for the grafana-cloud Railway mode (Grafana Cloud portal → stack details)")
        if deploying and not user:
            r.problem(user_key, "", "required for the grafana-cloud Railway mode (the numeric instance/user id)")
    if deploying and cloud.token is None:
        r.problem("grafanaCloudToken", "", "required for the grafana-cloud Railway mode: "
                  "pulumi config set --secret grafanaCloudToken (an access-policy token with write scopes)")
