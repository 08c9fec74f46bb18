"""The platform's PostgreSQL that Grafana reads through a read-only role, or (demoData, local only) the stack's
own demo database instead."""

from __future__ import annotations

from dataclasses import dataclass

from components import constants as c
from components.settings import formats as f
from components.settings.reader import Reader
from components.settings.secret import Secret

SSL_MODES = ("disable", "require", "verify-ca", "verify-full")


@dataclass(frozen=True)
class Postgres:
    enabled: bool
    host: str
    port: int
    database: str
    sslmode: str
    admin_user: str
    admin_password: Secret | None
    read_all_stats: bool
    demo: bool = False  # the stack's own demo database (demoData), not the platform's


# The demo database on the stack's own network; its admin password is generated (components/targets/secrets.py).
DEMO_POSTGRES = Postgres(True, c.DEMO_POSTGRES, c.POSTGRES_PORT, c.PLATFORM_DATABASE, "disable", "postgres", None,
                         False, demo=True)


def read_postgres(r: Reader) -> Postgres:
    return Postgres(r.boolean("postgresEnabled"), r.string("postgresHost", fmt=f.HOST_NAME, required=True),
                    r.integer("postgresPort", 1, 65535), r.string("postgresDatabase", fmt=f.SQL_NAME, required=True),
                    r.string("postgresSslMode", SSL_MODES),
                    r.string("postgresAdminUser", fmt=f.SQL_NAME, required=True),
                    r.secret("postgresAdminPassword"), r.boolean("postgresReadAllStats"))


def read_demo_data(r: Reader, environment: str, postgres: Postgres) -> bool:
    """demoData: local only, and instead of (not beside) the platform's database."""
    demo = r.boolean("demoData")
    if demo and environment != "local":
        r.problem("demoData", True, f"only the local stack runs demo data (this is {environment}); remove the key")
    elif demo and postgres.enabled:
        r.problem("demoData", True, "choose one database: demoData (the stack's own demo Postgres) or "
                  "postgresEnabled (the platform's); set demoData: false to join the platform")
    return demo


def check_deploy_secrets(r: Reader, postgres: Postgres) -> None:
    if postgres.enabled and not postgres.demo and postgres.admin_password is None:
        r.problem("postgresAdminPassword", "", "required when postgresEnabled is true: "
                  "pulumi config set --secret postgresAdminPassword")
