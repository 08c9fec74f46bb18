#!/bin/sh
# Demo log lines in the platform backend's JSON format on stdout (demoData, local only), so Alloy's
# Docker log pipeline (JSON fields, labels, redaction) has real input. Every tenth line carries a fake
# secret that must reach Loki redacted. Environment: the DEMO_* ids from the spec; DEMO_INTERVAL
# (seconds between lines) and DEMO_LINES (0: forever) let the tests run it to completion.
set -eu
interval="${DEMO_INTERVAL:-3}"
lines="${DEMO_LINES:-0}"
agents="data_import_validation_agent:data_import attribute_mapping_agent:field_mapping \
asset_inventory_agent:asset_inventory dependency_analysis_agent:dependency_analysis \
sixr_strategy_agent:sixr_strategy wave_planning_agent:wave_planning gap_analysis_agent:collection"

pick() { # pick <index> <words...>: the word at index modulo the count
  i=$1; shift; n=$#; i=$(( i % n + 1 )); eval "echo \${$i}"
}

i=0
while [ "$lines" -eq 0 ] || [ "$i" -lt "$lines" ]; do
  i=$((i + 1))
  pair=$(pick "$i" $agents)
  agent=${pair%%:*}; phase=${pair#*:}
  client=$(pick "$i" "$DEMO_CLIENT_1" "$DEMO_CLIENT_2")
  engagement=$(pick "$i" "$DEMO_ENGAGEMENT_1" "$DEMO_ENGAGEMENT_2")  # the same client's engagement
  # A master flow of the demo database (md5('demo-flow<g>') as a uuid), 20 lines per flow.
  hex=$(printf 'demo-flow%d' $(( i / 20 % 120 + 1 )) | md5sum | cut -c1-32)
  flow=$(echo "$hex" | sed 's/^\(.\{8\}\)\(.\{4\}\)\(.\{4\}\)\(.\{4\}\)/\1-\2-\3-\4-/')
  trace=$(printf '%08x%08x%016x' "$i" "$(( i * 7919 ))" "$(( i * 104729 ))")
  now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  case $(( i % 10 )) in
    0) level=ERROR; status=failed
       message="Phase execution failed: upstream call rejected, db_password=$DEMO_FAKE_SECRET"
       extra=",\"api_key\":\"$DEMO_FAKE_SECRET\"" ;;
    3|7) level=WARNING; status=running; message="Agent retrying after a slow LLM response"; extra="" ;;
    *) level=INFO; status=completed; message="Agent task completed"; extra="" ;;
  esac
  printf '{"timestamp":"%s","level":"%s","logger":"app.services.crewai_flows","message":"%s","client_account_id":"%s","engagement_id":"%s","flow_id":"%s","agent":"%s","phase":"%s","status":"%s","trace_id":"%s"%s}\n' \
    "$now" "$level" "$message" "$client" "$engagement" "$flow" "$agent" "$phase" "$status" "$trace" "$extra"
  [ "$interval" = 0 ] || sleep "$interval"
done
