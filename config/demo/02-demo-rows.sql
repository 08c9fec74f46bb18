-- Demo rows for the local stack (demoData): two client accounts with two engagements each and the
-- platform's 17 agents, with activity over the 30 days before the database was created, including the
-- last hour, so every Postgres panel and the SQL alert rules have something to show on the first run.
-- Timestamps are relative to now() at creation. For fresh rows later (README, "Demo data"):
--   docker rm -f obs-demo-postgres && docker volume rm obs-demo-postgres-data && bash scripts/up-local.sh --refresh
--
-- The tenant ids are md5('demo-client<c>') and md5('demo-engagement<c><e>') as uuids: the telemetry
-- generators (components/services/demo_telemetry.py) send the same ids, so tenant filters match both.

CREATE TEMP TABLE tenants AS
SELECT row_number() OVER () - 1 AS n,
       md5('demo-client' || c)::uuid AS client_account_id,
       md5('demo-engagement' || c || e)::uuid AS engagement_id
FROM generate_series(1, 2) c, generate_series(1, 2) e;

CREATE TEMP TABLE agents (agent_name text, phase text);
INSERT INTO agents VALUES
  ('data_import_validation_agent', 'data_import'), ('attribute_mapping_agent', 'field_mapping'),
  ('data_cleansing_agent', 'field_mapping'), ('asset_inventory_agent', 'asset_inventory'),
  ('dependency_analysis_agent', 'dependency_analysis'), ('tech_debt_analysis_agent', 'tech_debt'),
  ('readiness_assessor_agent', 'assessment'), ('complexity_analyst_agent', 'assessment'),
  ('risk_assessment_agent', 'assessment'), ('sixr_strategy_agent', 'sixr_strategy'),
  ('wave_planning_agent', 'wave_planning'), ('migration_planner_agent', 'wave_planning'),
  ('questionnaire_generation_agent', 'collection'), ('gap_analysis_agent', 'collection'),
  ('pattern_recognition_agent', 'asset_inventory'), ('cost_optimization_agent', 'sixr_strategy'),
  ('compliance_validation_agent', 'tech_debt');

-- One LLM call every 10 minutes for 30 days: a steady rate, so the cost-spike alert stays quiet.
CREATE TEMP TABLE llm_times AS
SELECT g, now() - g * interval '10 minutes' AS at FROM generate_series(0, 4319) g;

INSERT INTO migration.llm_usage_logs
  (id, created_at, client_account_id, engagement_id, model_name, provider, feature_context,
   input_tokens, output_tokens, total_tokens, total_cost_usd, response_time_ms, success, error_message)
SELECT md5('demo-llm' || l.g)::uuid, l.at, t.client_account_id, t.engagement_id,
       (ARRAY['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4', 'llama-3.3-70b'])[1 + l.g % 4],
       (ARRAY['azure_openai', 'azure_openai', 'anthropic', 'deepinfra'])[1 + l.g % 4],
       (ARRAY['discovery.field_mapping', 'assessment.sixr', 'collection.questionnaire', 'chat'])[1 + l.g % 4],
       300 + l.g * 7 % 1200, 60 + l.g * 13 % 500, 360 + l.g * 7 % 1200 + l.g * 13 % 500,
       round(((300 + l.g * 7 % 1200) * 0.0000025 + (60 + l.g * 13 % 500) * 0.00001)::numeric, 6),
       250 + l.g * 31 % 5000, l.g % 19 <> 0, CASE WHEN l.g % 19 = 0 THEN 'rate limited' END
FROM llm_times l JOIN tenants t ON t.n = l.g % 4;

-- 120 master flows over 7 days (one in ten failed), 12 of them started in the last hour.
INSERT INTO migration.crewai_flow_state_extensions
  (flow_id, flow_type, flow_status, client_account_id, engagement_id, created_at, updated_at, completed_at)
SELECT md5('demo-flow' || g)::uuid,
       (ARRAY['discovery', 'assessment', 'collection'])[1 + g % 3],
       CASE WHEN g % 10 = 0 THEN 'failed' WHEN g % 10 IN (1, 2) THEN 'running' WHEN g % 10 = 3 THEN 'paused'
            ELSE 'completed' END,
       t.client_account_id, t.engagement_id, s.started, s.started + interval '20 minutes',
       CASE WHEN g % 10 IN (0, 4, 5, 6, 7, 8, 9) THEN s.started + interval '40 minutes' END
FROM generate_series(1, 120) g
JOIN tenants t ON t.n = g % 4
CROSS JOIN LATERAL (SELECT CASE WHEN g <= 12 THEN now() - g * interval '4 minutes'
                                ELSE now() - (g % 7) * interval '1 day' - (g % 23) * interval '1 hour'
                           END AS started) s;

-- Each master flow's child row, in the table of its type (ADR-012 two-table pattern).
CREATE TEMP TABLE children AS
SELECT f.*, abs(hashtext(f.flow_id::text)) AS h,
       CASE f.flow_status WHEN 'completed' THEN 'completed' WHEN 'failed' THEN 'failed'
            WHEN 'paused' THEN 'paused' ELSE 'running' END AS child_status
FROM migration.crewai_flow_state_extensions f;

INSERT INTO migration.discovery_flows
  (id, flow_id, client_account_id, engagement_id, current_phase, status, progress_percentage,
   error_message, created_at, updated_at, completed_at)
SELECT md5('demo-child' || flow_id::text)::uuid, flow_id, client_account_id, engagement_id,
       (ARRAY['data_import', 'field_mapping', 'data_cleansing', 'asset_inventory', 'dependency_analysis'])[1 + h % 5],
       child_status, CASE child_status WHEN 'completed' THEN 100 ELSE 15 + h % 70 END,
       CASE child_status WHEN 'failed' THEN 'phase timed out' END, created_at, updated_at, completed_at
FROM children WHERE flow_type = 'discovery';

INSERT INTO migration.assessment_flows
  (id, flow_id, client_account_id, engagement_id, current_phase, status, progress_percentage,
   error_message, created_at, updated_at, completed_at)
SELECT md5('demo-child' || flow_id::text)::uuid, flow_id, client_account_id, engagement_id,
       (ARRAY['readiness', 'complexity', 'risk', 'sixr_strategy'])[1 + h % 4],
       child_status, CASE child_status WHEN 'completed' THEN 100 ELSE 15 + h % 70 END,
       CASE child_status WHEN 'failed' THEN 'agent error' END, created_at, updated_at, completed_at
FROM children WHERE flow_type = 'assessment';

INSERT INTO migration.collection_flows
  (id, flow_id, client_account_id, engagement_id, current_phase, status, progress_percentage,
   error_message, created_at, updated_at, completed_at)
SELECT md5('demo-child' || flow_id::text)::uuid, flow_id, client_account_id, engagement_id,
       (ARRAY['platform_detection', 'automated_collection', 'gap_analysis', 'manual_collection'])[1 + h % 4],
       child_status, CASE child_status WHEN 'completed' THEN 100 ELSE 15 + h % 70 END,
       CASE child_status WHEN 'failed' THEN 'connector unreachable' END, created_at, updated_at, completed_at
FROM children WHERE flow_type = 'collection';

-- TenantMemoryManager patterns: engagement-scoped, and every fifth one client-scoped.
INSERT INTO migration.agent_discovered_patterns
  (id, client_account_id, engagement_id, scope, pattern_type, pattern_name, confidence_score,
   times_referenced, embedding, created_at, updated_at)
SELECT md5('demo-pattern' || g)::uuid, t.client_account_id,
       CASE WHEN g % 5 = 0 THEN NULL ELSE t.engagement_id END,
       CASE WHEN g % 5 = 0 THEN 'client' ELSE 'engagement' END,
       (ARRAY['field_mapping', 'asset_classification', 'dependency', 'sixr_decision'])[1 + g % 4],
       'demo pattern ' || g, round((0.55 + (g % 45) / 100.0)::numeric, 3), g % 23,
       ARRAY[0.1, 0.2, 0.3]::real[],
       now() - (g % 25) * interval '1 day' - (g % 24) * interval '1 hour', now() - (g % 12) * interval '1 day'
FROM generate_series(1, 160) g JOIN tenants t ON t.n = g % 4;

-- Agent task analytics: every agent, every two hours for 14 days, plus the last hour.
INSERT INTO migration.agent_performance_analytics
  (id, agent_name, phase, client_account_id, engagement_id, task_id, status, duration_ms, tokens_used,
   memory_used_mb, confidence_score, created_at)
SELECT md5('demo-perf' || g || a.agent_name)::uuid, a.agent_name, a.phase, t.client_account_id, t.engagement_id,
       'demo-task-' || g, (ARRAY['completed', 'completed', 'completed', 'completed', 'failed', 'timeout'])[1 + g % 6],
       400 + (g * 37 + length(a.agent_name) * 101) % 25000, 150 + g * 11 % 3500, 64 + g % 256,
       round((0.6 + (g % 40) / 100.0)::numeric, 3),
       CASE WHEN g <= 6 THEN now() - g * interval '9 minutes' ELSE now() - g * interval '2 hours' END
FROM generate_series(1, 168) g CROSS JOIN agents a JOIN tenants t ON t.n = g % 4;

ANALYZE;
