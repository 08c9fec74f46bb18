"""A one-shot job that creates or updates the `grafana_readonly` role in the platform database.

It runs the project's idempotent script as the database admin and is replaced (so re-run) whenever the
script or either password changes, which is how a rotated read-only password reaches Postgres.
"""

from __future__ import annotations

import shlex

from components import constants as c
from components import images
from components.model import DOCKER, RAILWAY, ContainerSpec, File, Override, Ref, frozen_env
from components.secret_names import POSTGRES_ADMIN_PASSWORD, POSTGRES_READONLY_PASSWORD
from components.services.common import config_file
from components.settings import Settings

SERVICE = "postgres-readonly"
SCRIPT_PATH = "/etc/postgres/grafana_readonly.sql"
PGPASS_PATH = f"{c.SECRETS_DIR}/pgpass"
# Railway has no secret files: the job's shell writes the role's password here (umask 077, its own container).
RAILWAY_PASSWORD_FILE = "/tmp/postgres_readonly_password"  # noqa: S108
DOCKER_ONLY = frozenset({DOCKER})


def _psql_args(settings: Settings, password_file: str) -> tuple[str, ...]:
    # -X: no ~/.psqlrc; the script reads the read-only password from its file on the client side.
    return ("-X", "-q", "-v", "ON_ERROR_STOP=1", "-v", f"ro_password_file={password_file}",
            *(("-v", "read_all_stats=on") if settings.postgres.read_all_stats else ()), "-f", SCRIPT_PATH)


def _railway(settings: Settings, connection: dict[str, str]) -> Override:
    """Railway: the admin password as PGPASSWORD, the role's password as a variable the image's shell
    (postgres:alpine has /bin/sh) writes to a private temporary file for the script."""
    script = (f"umask 077 && printf '%s' \"$POSTGRES_READONLY_PASSWORD\" > {RAILWAY_PASSWORD_FILE} "
              f"&& exec psql {shlex.join(_psql_args(settings, RAILWAY_PASSWORD_FILE))}")
    return Override(RAILWAY, entrypoint=("/bin/sh", "-c"), command=(script,), env=frozen_env(
        **connection, PGPASSWORD=Ref(POSTGRES_ADMIN_PASSWORD),
        POSTGRES_READONLY_PASSWORD=Ref(POSTGRES_READONLY_PASSWORD)))


def spec(settings: Settings) -> ContainerSpec:
    pg = settings.postgres
    connection = {"PGHOST": pg.host, "PGPORT": str(pg.port), "PGDATABASE": pg.database, "PGUSER": pg.admin_user,
                  "PGSSLMODE": pg.sslmode}
    return ContainerSpec(
        service=SERVICE,
        name=c.container_name(SERVICE),
        image=images.POSTGRES_CLIENT,
        entrypoint=("psql",),
        command=_psql_args(settings, c.POSTGRES_READONLY_PASSWORD_FILE),
        env=frozen_env(**connection, PGPASSFILE=PGPASS_PATH),
        files=(config_file("postgres", "grafana_readonly.sql", SCRIPT_PATH),
               # libpq ignores a password file that others can read: 0600, owned by the job's user.
               File(PGPASS_PATH, Ref(POSTGRES_ADMIN_PASSWORD, template=f"*:*:*:{pg.admin_user}:{{}}",
                                    quoting="pgpass"), 0o600, DOCKER_ONLY),
               File(c.POSTGRES_READONLY_PASSWORD_FILE, Ref(POSTGRES_READONLY_PASSWORD), 0o400, DOCKER_ONLY)),
        # Needs `sh` and `cat` for psql's backtick read of the password file: the alpine image has both.
        memory_mb=64,
        user="70:70",  # the image's postgres user
        oneshot=True,
        platform_network=True,
        targets=frozenset({DOCKER, RAILWAY}),
        depends_on=(c.DEMO_POSTGRES,) if pg.demo else (),  # the demo database, when it is the target
        overrides=(_railway(settings, connection),),
    )
