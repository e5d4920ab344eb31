#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# The metrics of vigie serve over real HTTP, loopback only: a ServeMetrics exposer with
# every family populated (vigie-metrics-fixture) is scraped with curl and linted with
# promtool; its MetricsPusher pushes to Debian's prometheus-pushgateway, whose /metrics
# must show the vigie_ families under job, agency and instance; the sample Grafana
# dashboard must be valid JSON and query only exposed names. Exit 77 (skipped) without
# promtool or prometheus-pushgateway. Only what the fixture's engine computed from its jobs
# is asserted here; the snapshot it publishes (HTTP, NATS, spool, outputs) is there so that
# every family is exposed, and is never asserted: those counts are checked against a real
# vigie serve by item05_http_indicator_metrics.sh and item05_nats_metrics.sh.
set -u
fixture=$1
source_dir=$2
. "$source_dir/tests/support/check_lib.sh"

for tool in promtool prometheus-pushgateway curl python3; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
work=$(mktemp -d)
pids=()
cleanup() {
  exec 3>&- 2>/dev/null
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT


# The Pushgateway, persisting nothing (no --persistence.file).
pg_port=$(free_port)
prometheus-pushgateway --web.listen-address="127.0.0.1:$pg_port" >"$work/pushgateway.log" 2>&1 &
pids+=($!)
wait_until 10 curl -sf "http://127.0.0.1:$pg_port/-/ready" -o /dev/null || {
  echo "FAIL: the Pushgateway did not start"; cat "$work/pushgateway.log"; exit 1; }

# The fixture runs until its stdin closes; fd 3 holds it open.
mkfifo "$work/stdin"
"$fixture" "http://127.0.0.1:$pg_port" demo "test-1" <"$work/stdin" >"$work/out" 2>"$work/err" &
fixture_pid=$!
pids+=($fixture_pid)
exec 3>"$work/stdin"
wait_until 10 grep -q '^port ' "$work/out" || { echo "FAIL: the fixture did not start"; cat "$work/err"; exit 1; }
port=$(awk '/^port /{print $2}' "$work/out")

curl -sf "http://127.0.0.1:$port/metrics" -o "$work/metrics.txt"
check "GET /metrics answers" test -s "$work/metrics.txt"
promtool check metrics <"$work/metrics.txt" >"$work/lint.txt" 2>&1
check "promtool check metrics exits 0" equals "$?" 0
check "promtool has nothing to say" equals "$(cat "$work/lint.txt")" ""
for family in vigie_events_received_total vigie_events_rejected_total vigie_received_bytes_total \
  vigie_alerts_total vigie_rule_matches_total vigie_event_latency_seconds_bucket \
  vigie_queued_jobs vigie_queue_capacity vigie_nats_pending_messages vigie_spool_bytes \
  vigie_spool_max_bytes vigie_spool_full vigie_spool_oldest_unforwarded_seconds \
  vigie_spool_pending_alerts vigie_output_delivered_total vigie_output_errors_total \
  vigie_output_retries_total vigie_rules_loaded vigie_reloads_total vigie_build_info \
  vigie_pushgateway_errors_total; do
  check "$family is exposed" grep -q "^$family[{ ]" "$work/metrics.txt"
done
check "received by agency and input" \
  has "$work/metrics.txt" 'vigie_events_received_total{agency="a1",input="nats"} 4'
check "rejected by reason (the engine's, not an injected count)" \
  has "$work/metrics.txt" 'vigie_events_rejected_total{agency="a1",input="http",reason="malformed_json"} 1'
check "the histogram's +Inf bucket" has "$work/metrics.txt" 'vigie_event_latency_seconds_bucket{le="+Inf"} 4'

# The pusher pushed at start (then every second): the group {job, agency, instance}, with
# the senders' agency as exported_agency.
pushed() {
  curl -sf "http://127.0.0.1:$pg_port/metrics" -o "$work/pushgateway.txt" &&
    grep '^vigie_events_received_total{' "$work/pushgateway.txt" | grep 'agency="demo"' |
    grep 'exported_agency="a1"' | grep 'input="http"' | grep 'instance="test-1"' |
      grep -q 'job="vigie"'
}
check "the Pushgateway holds vigie_ metrics under job, agency and instance" wait_until 10 pushed
check "the Pushgateway holds the histogram" \
  grep -q '^vigie_event_latency_seconds_bucket{agency="demo",instance="test-1",job="vigie",le="+Inf"} 4' \
  "$work/pushgateway.txt"
check "no push failed" equals "$(grep -c 'failed' "$work/err")" 0

check "the dashboard queries only exposed metrics" \
  python3 "$source_dir/tests/metrics/check_dashboard.py" "$source_dir/samples/grafana-dashboard.json" \
  "$work/metrics.txt"

# Closing stdin stops the fixture, after a final push.
exec 3>&-
wait "$fixture_pid"
check "the fixture exits 0 after its final push" equals "$?" 0
check "nothing was written to the fixture's stdout but its port" equals "$(wc -l <"$work/out")" 1

echo "metrics exposition: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
