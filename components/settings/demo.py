"""demoData (local only): the stack's own demo database instead of the platform's, and its checks."""

from __future__ import annotations

from components import constants as c
from components.settings.reader import Reader
from components.settings.types import Postgres

# The demo database on the stack's own network; its admin password is generated (components/targets/secrets.py).
DEMO_POSTGRES = Postgres(True, c.DEMO_POSTGRES, c.POSTGRES_PORT, c.PLATFORM_DATABASE, "disable", "postgres", None,
                         False, demo=True)


def demo_data(r: Reader, environment: str, postgres: Postgres) -> bool:
    """demoData: local only, and instead of (not beside) the platform's database."""
    demo = r.boolean("demoData")
    if demo and environment != "local":
        r.problem("demoData", True, f"only the local stack runs demo data (this is {environment}); remove the key")
    elif demo and postgres.enabled:
        r.problem("demoData", True, "choose one database: demoData (the stack's own demo Postgres) or "
                  "postgresEnabled (the platform's); set demoData: false to join the platform")
    return demo
