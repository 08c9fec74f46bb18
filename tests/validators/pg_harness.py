"""A throwaway PostgreSQL cluster for the validators, set up as the platform database would be.

The `pg_cluster` session fixture starts PostgreSQL on 127.0.0.1 with pg_stat_statements, loads the
shared platform fixtures into `migration_db`, runs the project's own `grafana_readonly.sql` as the
admin and stops the cluster at session end. The admin connects over a Unix socket (trust); the
read-only role only over TCP with its SCRAM password, so the password the script sets is what logs in.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.validators.tools import free_port, require_tool

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "config" / "postgres" / "grafana_readonly.sql"
FIXTURES = REPO.parent / "shared" / "fixtures"  # the repo is cloned with shared/ beside it

ADMIN = "postgres"
READONLY = "grafana_readonly"
DATABASE = "migration_db"
PLAIN_DATABASE = "migration_db_plain"  # the same tables, without the pg_stat_statements extension
OUTSIDE_TABLE = "migration.platform_users"  # a platform table Grafana must never read
GRANTED_TABLES = (
    "migration.llm_usage_logs",
    "migration.crewai_flow_state_extensions",
    "migration.discovery_flows",
    "migration.assessment_flows",
    "migration.collection_flows",
    "migration.agent_discovered_patterns",
    "migration.agent_performance_analytics",
)
# A quote and a backslash prove the script quotes the password rather than pasting it into SQL.
PASSWORD = "ro-Sample'pass\\word-0001"
TIMEOUT = 60  # seconds, for any single client or pg_ctl call

_SERVER_SETTINGS = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{socket_dir}'
shared_preload_libraries = 'pg_stat_statements'
password_encryption = 'scram-sha-256'
# Every statement is logged, so a test can prove the password never reaches the log.
log_statement = 'all'
fsync = off
"""
# Only these two ways in: anything else (the read-only role over the socket, or TCP without the
# password) is rejected, so a passing login really used the SCRAM password.
_HBA = f"""
local all {ADMIN} trust
host all {READONLY} 127.0.0.1/32 scram-sha-256
"""


@dataclass(frozen=True)
class Result:
    returncode: int
    rows: list[list[str]]  # CSV rows, header first
    stderr: str


@dataclass(frozen=True)
class PgCluster:
    bindir: Path
    workdir: Path
    port: int

    @property
    def log_text(self) -> str:
        return (self.workdir / "server.log").read_text(errors="replace")

    def admin(self, sql: str, db: str = DATABASE) -> Result:
        """Runs SQL as the superuser; raises on any error."""
        result = self._psql(["-h", str(self.workdir), "-U", ADMIN, "-d", db, "-c", sql], {})
        if result.returncode != 0:
            raise AssertionError(f"admin SQL failed: {result.stderr}\n{sql}")
        return result

    def admin_file(self, path: Path, db: str = DATABASE) -> Result:
        """Runs a SQL file as the superuser, as the postgres image runs its init scripts; raises on error."""
        result = self._psql(["-h", str(self.workdir), "-U", ADMIN, "-d", db, "-f", str(path)], {})
        if result.returncode != 0:
            raise AssertionError(f"{path.name} failed: {result.stderr}")
        return result

    def readonly(self, sql: str, password: str = PASSWORD, db: str = DATABASE) -> Result:
        """Runs SQL as grafana_readonly over TCP, the way Grafana connects; errors are returned."""
        return self._psql(["-h", "127.0.0.1", "-U", READONLY, "-d", db, "-c", sql], {"PGPASSWORD": password})

    def in_rolled_back_transaction(self, setup: str, query: str, db: str = DATABASE) -> Result:
        """`setup` as the superuser, then `query` as grafana_readonly (SET ROLE), in one transaction that is
        rolled back: fixture rows for one test, invisible to every other. Only `query` prints rows."""
        statements = ["BEGIN", setup, f"SET LOCAL ROLE {READONLY}", query, "ROLLBACK"]
        args = ["-h", str(self.workdir), "-U", ADMIN, "-d", db]
        for statement in statements:
            args += ["-c", statement]
        return self._psql(args, {})

    def run_script(self, password: str = PASSWORD, db: str = DATABASE, **variables: str) -> Result:
        """Runs the project's script as the one-shot job does, the password in a client-side file."""
        password_file = self.workdir / "postgres_readonly_password"
        password_file.write_text(password + "\n")
        password_file.chmod(0o600)
        args = ["-h", str(self.workdir), "-U", ADMIN, "-d", db, "-v", f"ro_password_file={password_file}"]
        for name, value in variables.items():
            args += ["-v", f"{name}={value}"]
        return self._psql([*args, "-f", str(SCRIPT)], {})

    def _psql(self, args: list[str], env: dict[str, str]) -> Result:
        # -X: no ~/.psqlrc; -w: never prompt; ON_ERROR_STOP: a failing statement fails the call.
        command = [str(self.bindir / "psql"), "-X", "-w", "-q", "--csv", "-v", "ON_ERROR_STOP=1",
                   "-p", str(self.port), *args]
        proc = subprocess.run(command, env={**_client_env(), **env}, capture_output=True, text=True,
                              timeout=TIMEOUT, check=False)
        return Result(proc.returncode, list(csv.reader(io.StringIO(proc.stdout))), proc.stderr)


def _client_env() -> dict[str, str]:
    # The developer's own PG* settings (PGHOST, PGPASSWORD, ...) must not leak into the tests.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["PGCONNECT_TIMEOUT"] = "10"
    return env


def _server_command(command: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root; the Debian package creates the `postgres` user.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _server(command: list[str]) -> None:
    proc = subprocess.run(_server_command(command), capture_output=True, text=True, timeout=TIMEOUT,
                          check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{proc.stdout}{proc.stderr}")


def _workdir() -> Path:
    workdir = Path(tempfile.mkdtemp(prefix="pg-validator-"))
    if os.geteuid() == 0:  # the server runs as `postgres` and keeps its data and socket here
        server_user = pwd.getpwnam("postgres")
        os.chown(workdir, server_user.pw_uid, server_user.pw_gid)
    return workdir


def _init(cluster: PgCluster) -> None:
    data = cluster.workdir / "data"
    _server([str(cluster.bindir / "initdb"), "-D", str(data), "-U", ADMIN, "-A", "trust", "-E", "UTF8",
             "--no-locale", "--no-sync"])
    with (data / "postgresql.conf").open("a") as conf:
        conf.write(_SERVER_SETTINGS.format(port=cluster.port, socket_dir=cluster.workdir))
    (data / "pg_hba.conf").write_text(_HBA)


def _pg_ctl(cluster: PgCluster, *args: str) -> None:
    # -w -t: wait for the server to start or stop, but never longer than 30 seconds.
    _server([str(cluster.bindir / "pg_ctl"), "-D", str(cluster.workdir / "data"), "-w", "-t", "30", *args])


def _stop(cluster: PgCluster) -> None:
    try:
        if (cluster.workdir / "data" / "postmaster.pid").exists():
            _pg_ctl(cluster, "-m", "immediate", "stop")
    finally:
        shutil.rmtree(cluster.workdir, ignore_errors=True)


def _load_platform(cluster: PgCluster) -> None:
    schema = (FIXTURES / "platform-schema.sql").read_text()
    sample = (FIXTURES / "platform-sample-data.sql").read_text()
    cluster.admin(f"CREATE DATABASE {DATABASE}", db="postgres")
    cluster.admin(schema + sample)
    # Tables ADR-031 does not list exist in the real platform too; Grafana must not see them.
    cluster.admin(f"CREATE TABLE {OUTSIDE_TABLE} (id int, email text); "
                  f"INSERT INTO {OUTSIDE_TABLE} VALUES (1, 'someone@example.com')")
    # A hardened server takes pg_stat_statements away from PUBLIC, so a readable view below proves
    # the script's own grant rather than the extension's default.
    cluster.admin("REVOKE SELECT ON pg_stat_statements FROM PUBLIC")

    cluster.admin(f"CREATE DATABASE {PLAIN_DATABASE}", db="postgres")
    plain_schema = "\n".join(line for line in schema.splitlines() if "pg_stat_statements" not in line)
    cluster.admin(plain_schema + sample, db=PLAIN_DATABASE)


@contextlib.contextmanager
def running_cluster(load: Callable[[PgCluster], None]) -> Iterator[PgCluster]:
    """A started cluster, loaded by `load`, with grafana_readonly created by the project's script."""
    # resolve(): pg_ctl may be a symlink on PATH; initdb, postgres and psql sit beside the real one.
    bindir = Path(require_tool("pg_ctl")).resolve().parent
    cluster = PgCluster(bindir, _workdir(), free_port())
    try:
        _init(cluster)
        _pg_ctl(cluster, "-l", str(cluster.workdir / "server.log"), "start")
        load(cluster)
        result = cluster.run_script()
        assert result.returncode == 0, f"grafana_readonly.sql failed:\n{result.stderr}"
        yield cluster
    finally:
        _stop(cluster)


# Test modules import this under its function name and request it as `pg_cluster`.
@pytest.fixture(scope="session", name="pg_cluster")
def pg_cluster_fixture():
    """The running cluster with the fixtures loaded and grafana_readonly created by the project's script."""
    with running_cluster(_load_platform) as cluster:
        yield cluster
