"""The demo database (demoData, local only): a Postgres on the stack's own network, created with the
platform's schema and generated rows (config/demo/*.sql), that Grafana reads through the same
`grafana_readonly` role job as the platform's database. Not published on the host.
"""

from __future__ import annotations

from components import constants as c
from components import images
from components.model import ContainerSpec, File, Healthcheck, Ref, Volume, data_volume_name, frozen_env
from components.secret_names import POSTGRES_ADMIN_PASSWORD
from components.services.common import config_file
from components.settings import Settings

SERVICE = c.DEMO_POSTGRES
DATA_PATH = "/var/lib/postgresql/data"
INIT_DIR = "/docker-entrypoint-initdb.d"  # run once by the image's entrypoint, on an empty data volume
INIT_SCRIPTS = ("01-platform-schema.sql", "02-demo-rows.sql")
ADMIN_PASSWORD_FILE = f"{c.SECRETS_DIR}/{POSTGRES_ADMIN_PASSWORD}"
POSTGRES_UID = "70"  # the alpine image's postgres user
MEMORY_MB = 160


def spec(settings: Settings) -> ContainerSpec:
    pg = settings.postgres
    return ContainerSpec(
        service=SERVICE,
        name=c.container_name(SERVICE),
        image=images.POSTGRES_CLIENT,  # the official postgres alpine image the role job runs too
        # pg_stat_statements backs the Tenant Memory panels; small buffers keep it inside its limit.
        command=("postgres", "-c", "shared_preload_libraries=pg_stat_statements", "-c", "shared_buffers=32MB",
                 "-c", "max_connections=40"),
        env=frozen_env(POSTGRES_DB=pg.database, POSTGRES_USER=pg.admin_user,
                       POSTGRES_PASSWORD_FILE=ADMIN_PASSWORD_FILE),
        files=(*(config_file("demo", name, f"{INIT_DIR}/{name}") for name in INIT_SCRIPTS),
               File(ADMIN_PASSWORD_FILE, Ref(POSTGRES_ADMIN_PASSWORD), 0o400)),
        volumes=(Volume(data_volume_name(SERVICE), DATA_PATH),),
        # Over TCP: the entrypoint's init server listens on the socket only, so healthy means loaded.
        healthcheck=Healthcheck(("CMD", "pg_isready", "-q", "-h", "127.0.0.1", "-U", pg.admin_user, "-d",
                                 pg.database), interval="10s", start_period="60s"),
        memory_mb=MEMORY_MB,
        user=f"{POSTGRES_UID}:{POSTGRES_UID}",
    )
