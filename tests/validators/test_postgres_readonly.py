"""`config/postgres/grafana_readonly.sql` against a real PostgreSQL: the role it makes reads the seven
tables ADR-031 lists and nothing else, writes nothing, logs in only with the password from the secret
file, follows a password rotation, and the script is safe to run again and again.
"""

from __future__ import annotations

import pytest

from tests.validators.pg_harness import (
    DATABASE,
    GRANTED_TABLES,
    OUTSIDE_TABLE,
    PASSWORD,
    PLAIN_DATABASE,
    READONLY,
    pg_cluster_fixture,  # noqa: F401  (provides the pg_cluster fixture)
)

# The role's settings make sessions read-only; a client can switch that off, so every write test
# does too, to prove the grants themselves refuse.
READ_WRITE = "BEGIN READ WRITE; "
WRITES = {
    "insert": "INSERT INTO {table} DEFAULT VALUES",
    "update": "UPDATE {table} SET created_at = created_at",
    "delete": "DELETE FROM {table}",
    "truncate": "TRUNCATE {table}",
}
CREATES = {
    "table in migration": "CREATE TABLE migration.grafana_owned (id int)",
    "table in public": "CREATE TABLE public.grafana_owned (id int)",
    "schema": "CREATE SCHEMA grafana_owned",
}
# Broader access left by an earlier setup, each with the table that would expose it.
BROADER_GRANTS = {
    "table grant": (f"GRANT SELECT ON {OUTSIDE_TABLE} TO {READONLY}", "", OUTSIDE_TABLE),
    "role membership": (f"GRANT pg_read_all_data TO {READONLY}", "", OUTSIDE_TABLE),
    "default privileges": (f"ALTER DEFAULT PRIVILEGES IN SCHEMA migration GRANT SELECT ON TABLES TO {READONLY}",
                           "CREATE TABLE migration.created_later AS SELECT 1 AS id", "migration.created_later"),
}


def _single_value(result) -> str:
    assert result.returncode == 0, result.stderr
    return result.rows[1][0]


def test_script_runs_twice_without_error(pg_cluster):
    first, second = pg_cluster.run_script(), pg_cluster.run_script()
    assert (first.returncode, first.stderr, second.returncode, second.stderr) == (0, "", 0, "")


def test_logs_in_over_tcp_with_the_password_from_the_file(pg_cluster):
    assert _single_value(pg_cluster.readonly("SELECT current_user")) == READONLY


def test_wrong_password_is_rejected(pg_cluster):
    result = pg_cluster.readonly("SELECT 1", password="not-the-password")
    assert result.returncode != 0
    assert "password authentication failed" in result.stderr


@pytest.mark.parametrize("table", GRANTED_TABLES)
def test_can_select_granted_table(pg_cluster, table):
    assert int(_single_value(pg_cluster.readonly(f"SELECT count(*) FROM {table}"))) > 0


@pytest.mark.parametrize("table", GRANTED_TABLES)
@pytest.mark.parametrize("write", WRITES)
def test_cannot_write_granted_table(pg_cluster, table, write):
    result = pg_cluster.readonly(READ_WRITE + WRITES[write].format(table=table))
    assert result.returncode != 0
    assert f"permission denied for table {table.split('.')[1]}" in result.stderr


def test_sessions_are_read_only_by_default(pg_cluster):
    assert _single_value(pg_cluster.readonly("SHOW default_transaction_read_only")) == "on"


@pytest.mark.parametrize("statement", CREATES.values(), ids=CREATES)
def test_cannot_create_objects(pg_cluster, statement):
    result = pg_cluster.readonly(READ_WRITE + statement)
    assert result.returncode != 0
    assert "permission denied" in result.stderr


def test_cannot_read_table_outside_the_seven(pg_cluster):
    result = pg_cluster.readonly(f"SELECT * FROM {OUTSIDE_TABLE}")
    assert result.returncode != 0
    assert "permission denied for table platform_users" in result.stderr


@pytest.mark.parametrize(("grant", "then", "probe"), BROADER_GRANTS.values(), ids=BROADER_GRANTS)
def test_rerun_removes_broader_access(pg_cluster, grant, then, probe):
    try:
        pg_cluster.admin(grant)
        assert pg_cluster.run_script().returncode == 0
        if then:
            pg_cluster.admin(then)
        result = pg_cluster.readonly(f"SELECT * FROM {probe}")
        assert result.returncode != 0
        assert "permission denied" in result.stderr
    finally:
        pg_cluster.admin("DROP TABLE IF EXISTS migration.created_later")


def test_role_has_no_attribute_beyond_login(pg_cluster):
    row = pg_cluster.admin(
        "SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, rolconnlimit "
        f"FROM pg_roles WHERE rolname = '{READONLY}'").rows[1]
    assert row == ["t", "f", "f", "f", "f", "f", "10"]


def test_role_is_member_of_no_other_role(pg_cluster):
    result = pg_cluster.admin(f"SELECT count(*) FROM pg_auth_members WHERE member = '{READONLY}'::regrole")
    assert _single_value(result) == "0"


def test_password_rotation_replaces_the_old_password(pg_cluster):
    rotated = "ro-Rotated-password-0002"
    try:
        assert pg_cluster.run_script(password=rotated).returncode == 0
        assert pg_cluster.readonly("SELECT 1", password=PASSWORD).returncode != 0
        assert _single_value(pg_cluster.readonly("SELECT 1", password=rotated)) == "1"
    finally:
        assert pg_cluster.run_script().returncode == 0


def test_empty_password_file_fails_and_changes_nothing(pg_cluster):
    result = pg_cluster.run_script(password="")
    assert result.returncode != 0
    assert "password file is empty or unreadable" in result.stderr
    assert _single_value(pg_cluster.readonly("SELECT 1")) == "1"


def test_password_never_reaches_the_server_log(pg_cluster):
    log = pg_cluster.log_text
    assert f"ALTER ROLE {READONLY} RESET ALL" in log  # statements are logged, so the check is real
    assert "ro-Sample" not in log


def test_password_never_reaches_pg_stat_statements(pg_cluster):
    queries = [row[0] for row in pg_cluster.admin("SELECT query FROM pg_stat_statements").rows[1:]]
    assert any(f"ALTER ROLE {READONLY} RESET ALL" in q for q in queries)  # the script is tracked
    assert not [q for q in queries if "ro-Sample" in q]


def test_pg_stat_statements_is_readable(pg_cluster):
    result = pg_cluster.readonly("SELECT calls, total_exec_time FROM pg_stat_statements LIMIT 1")
    assert result.returncode == 0, result.stderr
    assert len(result.rows) == 2


def test_script_succeeds_on_a_database_without_pg_stat_statements(pg_cluster):
    try:
        result = pg_cluster.run_script(db=PLAIN_DATABASE)
        assert (result.returncode, result.stderr) == (0, "")
    finally:
        assert pg_cluster.run_script(db=DATABASE).returncode == 0


def test_read_all_stats_is_granted_only_on_request(pg_cluster):
    member = f"SELECT pg_has_role('{READONLY}', 'pg_read_all_stats', 'MEMBER')"
    try:
        assert pg_cluster.run_script(read_all_stats="on").returncode == 0
        assert _single_value(pg_cluster.admin(member)) == "t"
    finally:
        assert pg_cluster.run_script().returncode == 0
    assert _single_value(pg_cluster.admin(member)) == "f"
