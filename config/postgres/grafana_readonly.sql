-- Creates or updates `grafana_readonly`, the role Grafana's PostgreSQL datasource logs in as (ADR-031,
-- "Database Access"): LOGIN and nothing more, SELECT on exactly the seven platform tables the ADR
-- lists, and pg_stat_statements where that extension is installed. Every run converges the role to
-- this state, dropping any broader privilege an earlier run or a person left behind, and sets the
-- password from the secret file, which is how a rotated password reaches Postgres.
--
-- Run it as a superuser connected to the platform database. The grants apply to the database psql is
-- connected to (-d or PGDATABASE), so no second name here can disagree with it:
--   psql -X -v ON_ERROR_STOP=1 -v ro_password_file=/run/secrets/postgres_readonly_password \
--        -d migration_db -f grafana_readonly.sql
-- psql variables (-v), all optional:
--   ro_password_file  file holding the password (default /run/secrets/postgres_readonly_password)
--   read_all_stats    on = also grant pg_read_all_stats when pg_stat_statements exists (default off;
--                     see the last section)

\set ON_ERROR_STOP on
\if :{?ro_password_file}
\else
  \set ro_password_file /run/secrets/postgres_readonly_password
\endif
\if :{?read_all_stats}
\else
  \set read_all_stats off
\endif

-- psql runs backquoted commands on the CLIENT, so the file only needs to be readable by the job's
-- user, and the password never appears on a command line or in the environment. :'ro_password_file'
-- is shell-quoted by psql. A missing file leaves the variable empty, which is rejected below.
\set ro_password `cat :'ro_password_file'`

-- One transaction: a run that fails halfway must not leave Grafana's role stripped of its grants.
BEGIN;

-- Only a superuser may change SUPERUSER/REPLICATION/BYPASSRLS (set below) and keep the password out
-- of the server log; say so plainly instead of failing on a later statement.
DO $$
BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    RAISE EXCEPTION 'grafana_readonly.sql must run as a superuser, not as %', current_user;
  END IF;
END
$$;

SELECT 'CREATE ROLE grafana_readonly'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'grafana_readonly') \gexec

-- Stated in full on every run so an attribute granted by hand is taken away again. VALID UNTIL
-- 'infinity' clears an expiry that would lock Grafana out. The connection limit caps what a runaway
-- dashboard can take from the platform; Grafana's datasource maxOpenConns must stay below it.
ALTER ROLE grafana_readonly WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
  INHERIT CONNECTION LIMIT 10 VALID UNTIL 'infinity';

-- The password travels to the server in clear text inside ALTER ROLE (psql cannot hash it here), so
-- keep that one statement out of the server log (log_statement, and the statement echoed with an
-- error) and out of pg_stat_statements, which stores utility statements verbatim.
SET LOCAL log_statement = 'none';
SET LOCAL log_min_error_statement = 'panic';
SET LOCAL pg_stat_statements.track_utility = off;
-- Grafana trims whitespace around file secrets ($__file{}), so trim the same way or the two disagree.
-- An empty file generates a statement that fails, instead of setting an empty password.
SELECT CASE WHEN btrim(pw, E' \t\r\n') = ''
            THEN $$DO 'BEGIN RAISE EXCEPTION ''grafana_readonly.sql: the password file is empty or unreadable''; END'$$
            ELSE format('ALTER ROLE grafana_readonly PASSWORD %L', btrim(pw, E' \t\r\n'))
       END
FROM (SELECT :'ro_password' AS pw) AS secret \gexec
\unset ro_password
SET LOCAL log_statement TO DEFAULT;
SET LOCAL log_min_error_statement TO DEFAULT;
SET LOCAL pg_stat_statements.track_utility TO DEFAULT;

-- Role settings: RESET ALL first so a setting added by hand does not outlive this script. Read-only
-- transactions are a second lock behind the grants (Grafana does not check that a query only reads);
-- the timeouts stop a heavy panel or a forgotten session from holding the platform database.
ALTER ROLE grafana_readonly RESET ALL;
ALTER ROLE grafana_readonly SET default_transaction_read_only = on;
ALTER ROLE grafana_readonly SET statement_timeout = '30s';
ALTER ROLE grafana_readonly SET idle_in_transaction_session_timeout = '60s';

-- Start from no privileges. DROP OWNED revokes everything the role was granted in this database and on
-- shared objects (CONNECT on other databases, default privileges naming it), whoever granted it. It
-- would also drop objects the role owns, so refuse if it owns any: a read-only role never should.
DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_shdepend d JOIN pg_database db ON db.oid = d.dbid
             WHERE d.refobjid = 'grafana_readonly'::regrole AND d.deptype = 'o'
               AND db.datname = current_database()) THEN
    RAISE EXCEPTION 'grafana_readonly owns objects in %; REASSIGN OWNED BY grafana_readonly first',
      current_database();
  END IF;
END
$$;
DROP OWNED BY grafana_readonly;
-- Role memberships (pg_read_all_data, pg_monitor, an application role) would widen its reach beyond
-- the seven tables; DROP OWNED leaves them, so revoke each, naming its grantor (needed on PG 16+).
SELECT format('REVOKE %I FROM grafana_readonly GRANTED BY %I', granted.rolname, grantor.rolname)
FROM pg_auth_members m
JOIN pg_roles granted ON granted.oid = m.roleid
JOIN pg_roles grantor ON grantor.oid = m.grantor
WHERE m.member = 'grafana_readonly'::regrole \gexec

-- The grants ADR-031 lists, for the database psql is connected to.
SELECT format('GRANT CONNECT ON DATABASE %I TO grafana_readonly', current_database()) \gexec
GRANT USAGE ON SCHEMA migration TO grafana_readonly;
GRANT SELECT ON
  migration.llm_usage_logs,
  migration.crewai_flow_state_extensions,
  migration.discovery_flows,
  migration.assessment_flows,
  migration.collection_flows,
  migration.agent_discovered_patterns,
  migration.agent_performance_analytics
TO grafana_readonly;

-- pg_stat_statements, only where the extension exists (the platform database may run without it).
-- The extension grants SELECT to PUBLIC by default; granting it to the role keeps the panel working
-- where an administrator revoked that.
SELECT format('GRANT USAGE ON SCHEMA %1$I TO grafana_readonly; '
              'GRANT SELECT ON %1$I.pg_stat_statements TO grafana_readonly', n.nspname)
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname = 'pg_stat_statements' \gexec

-- Without pg_read_all_stats the role sees its own statements' text but only '<insufficient privilege>'
-- for other roles' (the platform's), so the ADR's pgvector query-text panel stays empty. The role is
-- off by default because it is much broader than one view: it also shows every session's current,
-- un-normalised query text in pg_stat_activity, literals included, across all databases.
\if :read_all_stats
SELECT 'GRANT pg_read_all_stats TO grafana_readonly'
WHERE EXISTS (SELECT FROM pg_extension WHERE extname = 'pg_stat_statements') \gexec
\endif

COMMIT;
