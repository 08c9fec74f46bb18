"""The stack's services as they run on Railway, derived from the same specs as every other target.

Railway differs from a Docker host in ways the specs must say (the target only turns specs into
Railway objects and never names a service):
- services reach each other at `<service>.railway.internal` — in variables as the reference
  `${{<service>.RAILWAY_PRIVATE_DOMAIN}}`, in config files (which cannot hold references) as the name that
  reference resolves to; every listener binds `[::]` because older private networks are IPv6-only;
- Railway terminates TLS at its edge: no nginx proxy, Grafana's root URL is https://${{RAILWAY_PUBLIC_DOMAIN}};
- no Docker socket, no host paths: Alloy receives OTLP (apps push; Railway has no log drain);
- no secret files: a secret file becomes a variable (`$__file{…}` → `$__env{…}`, `X__FILE` → `X`);
- a volume hides what the image has at its mount path, so nothing is shipped under one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from components import constants as c
from components.model import ContainerSpec, Content, File, Ref, Volume, frozen_env
from components.services import alloy, canary, grafana, loki, postgres_readonly, prometheus, tempo
from components.services.common import config_file
from components.settings import Settings

PRIVATE_DOMAIN_SUFFIX = "railway.internal"
CLOUD_WRITE_FILE = "write-grafana-cloud.alloy"
_STACK_ADDRESS = re.compile(rf"\b({'|'.join(sorted(c.PORTS))}):(\d+)\b")


def reference(service: str) -> str:
    """The Railway variable reference to a service's private host name."""
    return f"${{{{{service}.RAILWAY_PRIVATE_DOMAIN}}}}"


def private_host(service: str) -> str:
    """What `reference(service)` resolves to, for files (Railway names it after the service)."""
    return f"{service}.{PRIVATE_DOMAIN_SUFFIX}"


def railway_specs(settings: Settings) -> tuple[ContainerSpec, ...]:
    assert settings.railway is not None, "railway settings exist for environment railway"
    if not settings.railway.self_hosted:
        return (_cloud_alloy(settings),)
    specs = [_loki(settings), _tempo(settings), _prometheus(settings), _stack_alloy(settings), _canary(settings),
             _grafana(settings)]
    if settings.postgres.enabled:
        specs.append(_postgres_readonly(settings))
    return tuple(specs)


def _for_railway(spec: ContainerSpec, **changes) -> ContainerSpec:
    """Files and env rewritten for Railway's network, secret files turned into variables."""
    spec = replace(spec, **changes)
    env: dict[str, Content] = dict(spec.env)
    files: list[File] = []
    secret_vars: dict[str, str] = {}
    for file in spec.files:
        if isinstance(file.content, Ref):
            var = file.path.rsplit("/", 1)[-1].upper()
            secret_vars[file.path] = var
            env[var] = file.content
        else:
            files.append(file)
    for key, value in list(env.items()):
        secret_var = secret_vars.get(str(value)) if key.endswith("__FILE") else None
        if secret_var:  # GF_X__FILE=/run/secrets/x → GF_X=<the secret> itself, not a second variable
            env[key.removesuffix("__FILE")] = env.pop(secret_var)
            del env[key]
    texts = [replace(f, content=_network(_secret_refs(str(f.content), secret_vars))) for f in files]
    env = {k: _network_env(v) for k, v in env.items()}
    return replace(spec, env=frozen_env(**env), files=tuple(texts), volumes=spec.data_volumes, ports=())


def _secret_refs(text: str, secret_vars: dict[str, str]) -> str:
    for path, var in secret_vars.items():
        text = text.replace(f"$__file{{{path}}}", f"$__env{{{var}}}")
    return text


def _network(text: str) -> str:
    text = text.replace('"0.0.0.0:', '"[::]:')
    return _STACK_ADDRESS.sub(lambda m: f"{private_host(m[1])}:{m[2]}", text)


def _network_env(value: Content) -> Content:
    if isinstance(value, Ref):
        return value
    return _STACK_ADDRESS.sub(lambda m: f"{reference(m[1])}:{m[2]}", value)


def _loki(settings: Settings) -> ContainerSpec:
    return _for_railway(loki.spec(settings), healthcheck=None)


def _tempo(settings: Settings) -> ContainerSpec:
    spec = tempo.spec(settings)
    # Tempo's metrics generator remote-writes span metrics to Prometheus (tempo.yaml reads this variable).
    env = {**spec.env, "PROMETHEUS_REMOTE_WRITE_URL": f"http://{c.PROMETHEUS}:{c.PORTS[c.PROMETHEUS]}/api/v1/write"}
    return _for_railway(spec, env=frozen_env(**env), healthcheck=None)


def _prometheus(settings: Settings) -> ContainerSpec:
    spec = prometheus.spec(settings)
    listen = f"--web.listen-address=[::]:{c.PORTS[c.PROMETHEUS]}"
    return _for_railway(spec, command=(*spec.command, listen), healthcheck=None)


def _alloy_on_railway(spec: ContainerSpec, env: Mapping[str, Content], files: tuple[str, ...]) -> ContainerSpec:
    """Alloy in either mode: listening on [::], its WAL on the volume, no Docker socket, host user or
    platform network (Railway has none); `files` are the pipeline files of that mode."""
    command = ("run", f"--server.http.listen-addr=[::]:{c.PORTS[c.ALLOY]}", f"--storage.path={alloy.STORAGE_PATH}",
               alloy.CONFIG_DIR_IN_CONTAINER)
    return _for_railway(spec, command=command, env=frozen_env(**env),
                        files=tuple(config_file(c.ALLOY, name, f"{alloy.CONFIG_DIR_IN_CONTAINER}/{name}")
                                    for name in files),
                        volumes=(Volume(spec.volumes[0].source, alloy.STORAGE_PATH),), healthcheck=None,
                        user=None, privileged=False, platform_network=False)


def _stack_alloy(settings: Settings) -> ContainerSpec:
    """OTLP in, the shared log pipeline, writes to this stack's Loki, Tempo and Prometheus."""
    spec = alloy.spec(settings)
    env = {k: v for k, v in spec.env.items() if k != "DOCKER_API_URL"}  # no Docker socket on Railway
    return _alloy_on_railway(spec, env, alloy.SHARED_FILES + alloy.STACK_WRITE_FILES)


def _cloud_alloy(settings: Settings) -> ContainerSpec:
    """grafana-cloud: Alloy alone; the same pipeline, then Grafana Cloud with basic auth from secrets."""
    assert settings.railway is not None
    spec, cloud = alloy.spec(settings), settings.railway.cloud
    env: dict[str, Content] = dict(
        STACK_ENVIRONMENT=settings.environment,
        GRAFANA_CLOUD_LOKI_URL=cloud.loki_url, GRAFANA_CLOUD_LOKI_USER=cloud.loki_user,
        GRAFANA_CLOUD_PROMETHEUS_URL=cloud.prometheus_url, GRAFANA_CLOUD_PROMETHEUS_USER=cloud.prometheus_user,
        GRAFANA_CLOUD_TEMPO_ENDPOINT=cloud.tempo_endpoint, GRAFANA_CLOUD_TEMPO_USER=cloud.tempo_user,
        GRAFANA_CLOUD_TOKEN=Ref("grafana_cloud_token"))
    return _alloy_on_railway(spec, env, alloy.SHARED_FILES + (CLOUD_WRITE_FILE,))


def _canary(settings: Settings) -> ContainerSpec:
    """The canary, sending to Alloy's private host; Railway has no container healthchecks to run its probe."""
    return _for_railway(canary.spec(settings), healthcheck=None)


def github_oauth_env(settings: Settings) -> dict[str, Content]:
    """GitHub sign-in (ADR-031 Railway option): only members of the allowed organizations, roles from
    the mapping (unmapped users refused), the local login form only as break-glass."""
    assert settings.railway is not None
    oauth = settings.railway.oauth
    keep_admin = "true" if oauth.keep_local_admin else "false"
    return {
        "GF_AUTH_GITHUB_ENABLED": "true",
        "GF_AUTH_GITHUB_CLIENT_ID": oauth.client_id,
        "GF_AUTH_GITHUB_CLIENT_SECRET": Ref("grafana_github_client_secret"),
        "GF_AUTH_GITHUB_SCOPES": "user:email,read:org",
        "GF_AUTH_GITHUB_ALLOWED_ORGANIZATIONS": ",".join(oauth.allowed_organizations),
        "GF_AUTH_GITHUB_ALLOW_SIGN_UP": "true",  # first sign-in creates the user — members of those orgs only
        "GF_AUTH_GITHUB_ROLE_ATTRIBUTE_PATH": oauth.role_attribute_path,
        "GF_AUTH_GITHUB_ROLE_ATTRIBUTE_STRICT": "true",
        "GF_AUTH_GITHUB_ALLOW_ASSIGN_GRAFANA_ADMIN": "false",
        "GF_AUTH_DISABLE_LOGIN_FORM": "false" if oauth.keep_local_admin else "true",
        "GF_AUTH_BASIC_ENABLED": keep_admin,
    }


def _grafana(settings: Settings) -> ContainerSpec:
    spec = grafana.spec(settings)
    env = {**spec.env, **github_oauth_env(settings),
           "GF_SERVER_ROOT_URL": "https://${{RAILWAY_PUBLIC_DOMAIN}}/",  # Railway's edge terminates TLS
           "GF_SERVER_DOMAIN": "${{RAILWAY_PUBLIC_DOMAIN}}",
           # The OAuth state cookie must survive GitHub's cross-site redirect back: Strict would drop it.
           "GF_SECURITY_COOKIE_SAMESITE": "lax"}
    del env["GF_LIVE_MAX_CONNECTIONS"]  # Railway's edge carries websockets: Grafana Live keeps its default
    # Provisioning and dashboards are baked into the image, outside the volume at /var/lib/grafana.
    return _for_railway(spec, env=frozen_env(**env), healthcheck=None, user=None)


def _postgres_readonly(settings: Settings) -> ContainerSpec:
    """The role job, once per deploy: the admin password as PGPASSWORD, the role's password written by
    the image's shell (postgres:alpine has /bin/sh) to a private temporary file the script reads."""
    spec = postgres_readonly.spec(settings)
    password_file = "/tmp/postgres_readonly_password"  # noqa: S108 (umask 077, the job's own container)
    command = " ".join(f"'{a}'" if " " in a else a for a in spec.command).replace(
        c.POSTGRES_READONLY_PASSWORD_FILE, password_file)
    env = {k: v for k, v in spec.env.items() if k != "PGPASSFILE"}
    env |= {"PGPASSWORD": Ref("postgres_admin_password"),
            "POSTGRES_READONLY_PASSWORD": Ref("postgres_readonly_password")}
    script = (f"umask 077 && printf '%s' \"$POSTGRES_READONLY_PASSWORD\" > {password_file} "
              f"&& exec psql {command}")
    files = tuple(f for f in spec.files if not isinstance(f.content, Ref))
    return _for_railway(spec, entrypoint=("/bin/sh", "-c"), command=(script,), env=frozen_env(**env), files=files)
