"""Grafana: local admin auth behind the TLS proxy, no outbound calls, provisioned datasources,
dashboards and alerts; plus a one-shot job that keeps the admin password in step with the secret.
On Railway: GitHub sign-in, behind Railway's edge at the service's public domain."""

from __future__ import annotations

from dataclasses import replace

from components import constants as c
from components import alerts
from components.dashboards import dashboard_files
from components.model import (DOCKER, KUBERNETES, RAILWAY, Content, ContainerSpec, File, Flow, Healthcheck,
                              HttpCheck, Listen, Override, Ref, Reload, Volume, data_volume_name, frozen_env)
from components.secret_names import (ALERT_CONTACT_URL, GRAFANA_ADMIN_PASSWORD, GRAFANA_GITHUB_CLIENT_SECRET,
                                     GRAFANA_SECRET_KEY, POSTGRES_READONLY_PASSWORD, SMTP_PASSWORD)
from components.services import postgres_readonly
from components.services.common import CONFIG_DIR, SCRATCH, config_tree, http_check_probe
from components.settings import Settings

DATA_PATH = "/var/lib/grafana"
UID = 472  # the image's grafana user
# Docker: the image's files and a fresh named volume are owned 472:0 (group root, OpenShift-style), so the
# container keeps gid 0. Cluster: the claim is owned by the pod's fsGroup instead, and 472 is a non-root group.
DOCKER_USER = f"{UID}:0"
POD_IDS = (UID, UID)
HEALTH = HttpCheck("/api/health", c.PORTS[c.GRAFANA], live_path="/api/health")
ADMIN_SYNC = "grafana-admin-sync"


def environment(settings: Settings) -> dict[str, str]:
    env = {
        "GF_SERVER_ROOT_URL": settings.grafana.root_url,  # scheme and :9999 must match what browsers use
        "GF_SERVER_DOMAIN": settings.grafana.domain,
        "GF_SECURITY_ADMIN_USER": settings.grafana.admin_user,
        "GF_SECURITY_ADMIN_PASSWORD__FILE": c.GRAFANA_ADMIN_PASSWORD_FILE,
        "GF_SECURITY_SECRET_KEY__FILE": c.GRAFANA_SECRET_KEY_FILE,  # encrypts datasource secrets
        "GF_SECURITY_COOKIE_SECURE": "true",  # users only ever reach Grafana over HTTPS
        "GF_SECURITY_COOKIE_SAMESITE": "strict",
        "GF_SECURITY_DISABLE_GRAVATAR": "true",
        "GF_AUTH_ANONYMOUS_ENABLED": "false",
        "GF_AUTH_BASIC_ENABLED": "true",  # local admin auth (ADR-031: OAuth is blocked by the firewall)
        "GF_AUTH_DISABLE_LOGIN_FORM": "false",
        "GF_USERS_ALLOW_SIGN_UP": "false",
        "GF_USERS_ALLOW_ORG_CREATE": "false",
        # HTTP only: Live's websockets are off (the proxy forwards no Upgrade; Railway's edge does).
        "GF_LIVE_MAX_CONNECTIONS": "0",
        # The enterprise firewall blocks outbound calls; don't make them.
        "GF_ANALYTICS_REPORTING_ENABLED": "false",
        "GF_ANALYTICS_CHECK_FOR_UPDATES": "false",
        "GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES": "false",
        "GF_NEWS_NEWS_FEED_ENABLED": "false",
        "GF_PLUGINS_PREINSTALL_DISABLED": "true",
        "GF_SNAPSHOTS_EXTERNAL_ENABLED": "false",
        "GF_LOG_MODE": "console",
    }
    env |= alerts.smtp_environment(settings)  # email alerts: the SMTP relay, its password as a file
    if settings.postgres.enabled:
        env |= {
            "POSTGRES_HOST": settings.postgres.host,
            "POSTGRES_PORT": str(settings.postgres.port),
            "POSTGRES_DB": settings.postgres.database,
            "POSTGRES_SSLMODE": settings.postgres.sslmode,
        }
    return env


def _github_oauth_env(settings: Settings) -> dict[str, Content]:
    """GitHub sign-in (ADR-031 Railway option): only members of the allowed organizations, roles from
    the mapping (unmapped users refused), the local login form only as break-glass."""
    assert settings.railway is not None
    oauth = settings.railway.oauth
    keep_admin = "true" if oauth.keep_local_admin else "false"
    return {
        "GF_AUTH_GITHUB_ENABLED": "true",
        "GF_AUTH_GITHUB_CLIENT_ID": oauth.client_id,
        "GF_AUTH_GITHUB_CLIENT_SECRET": Ref(GRAFANA_GITHUB_CLIENT_SECRET),
        "GF_AUTH_GITHUB_SCOPES": "user:email,read:org",
        "GF_AUTH_GITHUB_ALLOWED_ORGANIZATIONS": ",".join(oauth.allowed_organizations),
        "GF_AUTH_GITHUB_ALLOW_SIGN_UP": "true",  # first sign-in creates the user — members of those orgs only
        "GF_AUTH_GITHUB_ROLE_ATTRIBUTE_PATH": oauth.role_attribute_path,
        "GF_AUTH_GITHUB_ROLE_ATTRIBUTE_STRICT": "true",
        "GF_AUTH_GITHUB_ALLOW_ASSIGN_GRAFANA_ADMIN": "false",
        "GF_AUTH_DISABLE_LOGIN_FORM": "false" if oauth.keep_local_admin else "true",
        "GF_AUTH_BASIC_ENABLED": keep_admin,
    }


def _railway_environment(settings: Settings) -> dict[str, Content]:
    """Grafana's environment on Railway: GitHub sign-in, the public domain Railway's edge serves over TLS,
    and Grafana Live on its default (the edge carries websockets)."""
    env = environment(settings) | _github_oauth_env(settings) | {
        "GF_SERVER_ROOT_URL": "https://${{RAILWAY_PUBLIC_DOMAIN}}/",
        "GF_SERVER_DOMAIN": "${{RAILWAY_PUBLIC_DOMAIN}}",
        # The OAuth state cookie must survive GitHub's cross-site redirect back: Strict would drop it.
        "GF_SECURITY_COOKIE_SAMESITE": "lax"}
    del env["GF_LIVE_MAX_CONNECTIONS"]
    return env


# Grafana re-reads its provisioning tree when these are POSTed (the dashboard provider also rescans
# its folder every 30 seconds): new datasources, dashboards and alert rules need no restart.
RELOAD_URLS = tuple(f"http://{c.GRAFANA}:{c.PORTS[c.GRAFANA]}/api/admin/provisioning/{kind}/reload"
                    for kind in ("datasources", "dashboards", "alerting"))


def _reload(settings: Settings) -> Reload:
    return Reload(c.GRAFANA_PROVISIONING_DIR, RELOAD_URLS, settings.grafana.admin_user,
                  Ref(GRAFANA_ADMIN_PASSWORD))


def _provisioning(settings: Settings) -> tuple[File, ...]:
    """Everything under the provisioning tree, reloadable: a target may deliver it without a restart."""
    base = c.GRAFANA_PROVISIONING_DIR
    files = [File(f"{base}/datasources/datasources.yaml",
                  (CONFIG_DIR / c.GRAFANA / "provisioning/datasources/datasources.yaml").read_text())]
    # Either the platform database's datasource or its removal (prune alone misses older Grafana state).
    postgres_file = "postgres.yaml" if settings.postgres.enabled else "postgres-removed.yaml"
    files.append(File(f"{base}/datasources/{postgres_file}",
                      (CONFIG_DIR / c.GRAFANA / "provisioning/datasources" / postgres_file).read_text()))
    files += config_tree(c.GRAFANA, "provisioning/dashboards", f"{base}/dashboards", "*.yaml")
    files += [File(f"{base}/alerting/{path}", text)
              for path, text in sorted(alerts.alerting_files(settings).items())]
    files += [File(f"{c.GRAFANA_DASHBOARDS_DIR}/{path}", text)
              for path, text in sorted(dashboard_files(settings).items())]
    return tuple(replace(file, reloadable=True) for file in files)


def _secrets(settings: Settings) -> tuple[File, ...]:
    files = [File(c.GRAFANA_ADMIN_PASSWORD_FILE, Ref(GRAFANA_ADMIN_PASSWORD), 0o400),
             File(c.GRAFANA_SECRET_KEY_FILE, Ref(GRAFANA_SECRET_KEY), 0o400)]
    if settings.postgres.enabled:
        files.append(File(c.POSTGRES_READONLY_PASSWORD_FILE, Ref(POSTGRES_READONLY_PASSWORD), 0o400))
    if alerts.needs_contact_url(settings):
        files.append(File(c.ALERT_CONTACT_URL_FILE, Ref(ALERT_CONTACT_URL), 0o400))
    if alerts.needs_smtp_password(settings):
        files.append(File(c.SMTP_PASSWORD_FILE, Ref(SMTP_PASSWORD), 0o400))
    return tuple(files)


def _contact_ports(settings: Settings) -> tuple[int, ...]:
    """Where alert notifications leave the stack: HTTPS for webhooks and Teams, the configured SMTP relay's
    port for email (587, 465, 25 or 2525: an egress policy must allow the one Grafana dials)."""
    if settings.alerts.contact_type == "email":
        return (settings.smtp.port,) if settings.smtp else ()  # validated: email comes with a relay
    return {"webhook": (c.HTTPS_PORT,), "teams": (c.HTTPS_PORT,)}.get(settings.alerts.contact_type, ())


def spec(settings: Settings) -> ContainerSpec:
    return ContainerSpec(
        service=c.GRAFANA,
        name=c.container_name(c.GRAFANA),
        image=settings.images[c.GRAFANA],
        env=frozen_env(**environment(settings)),
        files=_provisioning(settings) + _secrets(settings),
        volumes=(Volume(data_volume_name(c.GRAFANA), DATA_PATH),),
        healthcheck=Healthcheck(http_check_probe(HEALTH)),
        memory_mb=settings.memory_mb[c.GRAFANA],
        user=DOCKER_USER,
        platform_network=settings.postgres.enabled,  # reads the platform database
        http_check=HEALTH,
        run_as=POD_IDS,
        scratch_dirs=SCRATCH,
        listens=(Listen("http", c.PORTS[c.GRAFANA]),),
        connects_to=tuple(Flow(s, c.PORTS[s]) for s in (c.LOKI, c.TEMPO, c.PROMETHEUS)),
        browser_entry=True,
        external_ports=_contact_ports(settings),
        reload=_reload(settings),
        # Logs in to the platform database with the password the role job sets: that job runs first.
        depends_on=(postgres_readonly.SERVICE,) if settings.postgres.enabled else (),
        overrides=(Override(RAILWAY, env=frozen_env(**_railway_environment(settings))),) if settings.railway else (),
    )


def admin_sync_spec(settings: Settings) -> ContainerSpec:
    """Grafana applies GF_SECURITY_ADMIN_PASSWORD only when it creates its database; this job sets the
    current password on the existing database, so a rotated secret really becomes the admin password.
    Docker host: it is replaced (and so re-run) whenever the password file's content changes. Cluster: it
    is an init container of Grafana's pod, which a new password rolls (its Secret is auto-named); on the
    very first start there is no database yet and Grafana creates it with the password itself."""
    return ContainerSpec(
        service=ADMIN_SYNC,
        name=c.container_name(ADMIN_SYNC),
        image=settings.images[c.GRAFANA],
        entrypoint=("/bin/sh", "-c"),
        command=(f"test -f {DATA_PATH}/grafana.db || exit 0; "
                 "grafana cli --homepath /usr/share/grafana admin reset-admin-password "
                 f"--user-id 1 --password-from-stdin < {c.GRAFANA_ADMIN_PASSWORD_FILE}",),
        files=(File(c.GRAFANA_ADMIN_PASSWORD_FILE, Ref(GRAFANA_ADMIN_PASSWORD), 0o400),),
        volumes=(Volume(data_volume_name(c.GRAFANA), DATA_PATH),),
        memory_mb=128,
        user=DOCKER_USER,
        oneshot=True,
        depends_on=(c.GRAFANA,),
        init_of=c.GRAFANA,
        # Railway has no volume two services share: the job could not reach Grafana's database there.
        targets=frozenset({DOCKER, KUBERNETES}),
        run_as=POD_IDS,
        scratch_dirs=(*SCRATCH, "/var/log/grafana"),  # grafana cli may open its log directory
    )
