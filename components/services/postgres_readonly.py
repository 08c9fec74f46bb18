"""A one-shot job that creates or updates the `grafana_readonly` role in the platform database.

It runs the project's idempotent script as the database admin and is replaced (so re-run) whenever the
script or either password changes, which is how a rotated read-only password reaches Postgres.
"""

from __future__ import annotations

from components import constants as c
from components import images
from components.model import DOCKER, ContainerSpec, File, Ref, frozen_env
from components.secret_names import POSTGRES_ADMIN_PASSWORD, POSTGRES_READONLY_PASSWORD
from components.services.common import config_file
from components.settings import Settings

SERVICE = "postgres-readonly"
SCRIPT_PATH = "/etc/postgres/grafana_readonly.sql"
PGPASS_PATH = f"{c.SECRETS_DIR}/pgpass"


def spec(settings: Settings) -> ContainerSpec:
    pg = settings.postgres
    return ContainerSpec(
        service=SERVICE,
        name=c.container_name(SERVICE),
        image=images.POSTGRES_CLIENT,
        entrypoint=("psql",),
        # -X: no ~/.psqlrc; the script reads the read-only password from its file on the client side.
        command=("-X", "-q", "-v", "ON_ERROR_STOP=1", "-v", f"ro_password_file={c.POSTGRES_READONLY_PASSWORD_FILE}",
                 *(("-v", "read_all_stats=on") if pg.read_all_stats else ()), "-f", SCRIPT_PATH),
        env=frozen_env(PGHOST=pg.host, PGPORT=str(pg.port), PGDATABASE=pg.database, PGUSER=pg.admin_user,
                       PGSSLMODE=pg.sslmode, PGPASSFILE=PGPASS_PATH),
        files=(config_file("postgres", "grafana_readonly.sql", SCRIPT_PATH),
               # libpq ignores a password file that others can read: 0600, owned by the job's user.
               File(PGPASS_PATH, Ref(POSTGRES_ADMIN_PASSWORD, template=f"*:*:*:{pg.admin_user}:{{}}",
                                    quoting="pgpass"), 0o600),
               File(c.POSTGRES_READONLY_PASSWORD_FILE, Ref(POSTGRES_READONLY_PASSWORD), 0o400)),
        # Needs `sh` and `cat` for psql's backtick read of the password file: the alpine image has both.
        memory_mb=64,
        user="70:70",  # the image's postgres user
        oneshot=True,
        platform_network=True,
        targets=frozenset({DOCKER}),
        depends_on=(c.DEMO_POSTGRES,) if pg.demo else (),  # the demo database, when it is the target
    )
