#!/bin/sh
# The stack canary: every CANARY_INTERVAL_SECONDS, one OTLP/JSON request per signal to Alloy's OTLP/HTTP
# receiver — one log line carrying CANARY_FAKE_SECRET (Alloy must redact it), one span and one gauge
# sample holding the send time — all with service.name=CANARY_SERVICE_NAME, so the canary rules can tell
# when a signal stops arriving. busybox sh and wget only (the pinned alpine image has nothing else).
# CANARY_OK_FILE is touched after a round Alloy accepted: the container's healthcheck reads its age.
set -u

resource="{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"$CANARY_SERVICE_NAME\"}},\
{\"key\":\"deployment.environment\",\"value\":{\"stringValue\":\"$CANARY_ENVIRONMENT\"}}]}"
scope='{"name":"obs-canary"}'

hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }

send() {  # send <signal path> <JSON body>
  timeout 10 wget -q -O /dev/null --header 'Content-Type: application/json' --post-data "$2" \
    "$CANARY_OTLP_ENDPOINT/v1/$1" || { echo "canary: Alloy refused the $1 request" >&2; return 1; }
}

while :; do
  seconds=$(date +%s)
  now="${seconds}000000000"
  trace=$(hex 16)
  span=$(hex 8)
  ok=true
  send logs "{\"resourceLogs\":[{\"resource\":$resource,\"scopeLogs\":[{\"scope\":$scope,\"logRecords\":[{\
\"timeUnixNano\":\"$now\",\"severityNumber\":9,\"severityText\":\"INFO\",\"traceId\":\"$trace\",\"spanId\":\"$span\",\
\"body\":{\"stringValue\":\"canary heartbeat api_key=$CANARY_FAKE_SECRET\"}}]}]}]}" || ok=false
  send traces "{\"resourceSpans\":[{\"resource\":$resource,\"scopeSpans\":[{\"scope\":$scope,\"spans\":[{\
\"traceId\":\"$trace\",\"spanId\":\"$span\",\"name\":\"canary heartbeat\",\"kind\":1,\
\"startTimeUnixNano\":\"$now\",\"endTimeUnixNano\":\"${seconds}001000000\"}]}]}]}" || ok=false
  send metrics "{\"resourceMetrics\":[{\"resource\":$resource,\"scopeMetrics\":[{\"scope\":$scope,\"metrics\":[{\
\"name\":\"$CANARY_METRIC\",\"gauge\":{\"dataPoints\":[{\"timeUnixNano\":\"$now\",\"asDouble\":$seconds}]}}]}]}]}" \
    || ok=false
  if $ok; then touch "$CANARY_OK_FILE"; fi
  sleep "$CANARY_INTERVAL_SECONDS"
done
