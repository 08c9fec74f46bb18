-- Copied from the platform's schema (shared/fixtures/platform-schema.sql): only the tables the dashboards
-- and alert rules read. Loaded once, when the demo database is created (demoData, local only).

-- The platform tables that the Grafana dashboards read (ADR-031, "Integration with Existing Systems").
-- Column names that ADR-031 uses in its SQL are the contract; the other columns and all types are the
-- best available assumption about the platform's schema. Dashboards must use only columns listed here.
-- Production stores agent_discovered_patterns.embedding as pgvector vector(1536); it is real[] here so
-- that the file loads on a PostgreSQL without the pgvector extension.
--
-- Load into an empty database named migration_db:
--   psql -v ON_ERROR_STOP=1 -d migration_db -f platform-schema.sql -f platform-sample-data.sql
-- pg_stat_statements needs the server started with shared_preload_libraries=pg_stat_statements.

CREATE SCHEMA IF NOT EXISTS migration;
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;

-- Every LLM call, written by the backend's LiteLLM callback.
CREATE TABLE migration.llm_usage_logs (
    id                 uuid PRIMARY KEY,
    created_at         timestamptz NOT NULL DEFAULT now(),
    client_account_id  uuid,
    engagement_id      uuid,
    user_id            uuid,
    model_name         text NOT NULL,
    provider           text NOT NULL,          -- openai, azure_openai, anthropic, deepinfra, ...
    feature_context    text,                   -- e.g. discovery.field_mapping, assessment.sixr
    input_tokens       integer NOT NULL DEFAULT 0,
    output_tokens      integer NOT NULL DEFAULT 0,
    total_tokens       integer NOT NULL DEFAULT 0,
    total_cost_usd     numeric(12, 6) NOT NULL DEFAULT 0,
    response_time_ms   integer,
    success            boolean NOT NULL DEFAULT true,
    error_message      text
);
CREATE INDEX ON migration.llm_usage_logs (created_at);

-- Master flow lifecycle (ADR-012 two-table pattern: master).
CREATE TABLE migration.crewai_flow_state_extensions (
    flow_id            uuid PRIMARY KEY,
    flow_type          text NOT NULL,          -- discovery, assessment, collection
    flow_status        text NOT NULL,          -- initialized, running, paused, completed, failed, cancelled
    client_account_id  uuid NOT NULL,
    engagement_id      uuid NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    completed_at       timestamptz               -- NULL while the flow has not finished
);

-- Child flows (ADR-012 two-table pattern: operational state). The three share one shape.
CREATE TABLE migration.discovery_flows (
    id                 uuid PRIMARY KEY,
    flow_id            uuid REFERENCES migration.crewai_flow_state_extensions (flow_id),
    client_account_id  uuid NOT NULL,
    engagement_id      uuid NOT NULL,
    current_phase      text,
    status             text NOT NULL,          -- running, paused, completed, failed
    progress_percentage numeric(5, 2) DEFAULT 0,
    error_message      text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    completed_at       timestamptz
);
CREATE TABLE migration.assessment_flows (LIKE migration.discovery_flows INCLUDING DEFAULTS);
CREATE TABLE migration.collection_flows (LIKE migration.discovery_flows INCLUDING DEFAULTS);

-- TenantMemoryManager patterns (ADR-024).
CREATE TABLE migration.agent_discovered_patterns (
    id                 uuid PRIMARY KEY,
    client_account_id  uuid NOT NULL,
    engagement_id      uuid,
    scope              text NOT NULL DEFAULT 'engagement',   -- engagement, client, global
    pattern_type       text NOT NULL,
    pattern_name       text,
    confidence_score   numeric(4, 3),
    times_referenced   integer NOT NULL DEFAULT 0,
    embedding          real[],
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);

-- Per-agent task analytics written by the agent registry (17 agents across 9 phases).
CREATE TABLE migration.agent_performance_analytics (
    id                 uuid PRIMARY KEY,
    agent_name         text NOT NULL,
    phase              text NOT NULL,
    client_account_id  uuid,
    engagement_id      uuid,
    task_id            text,
    status             text NOT NULL,          -- completed, failed, timeout
    duration_ms        integer,
    tokens_used        integer,
    memory_used_mb     numeric(10, 2),
    confidence_score   numeric(4, 3),
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON migration.agent_performance_analytics (created_at);
