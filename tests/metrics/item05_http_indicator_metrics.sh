#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Issue 19 item 5: the metrics of a real vigie serve, with counts that follow from what the
# test sent (no injected figures). Indicators from tests/indicators/bundle.json (7 objects:
# 1 refused, 1 outside the per-event subset, 1 expired, 1 revoked; max_indicators 5), then
# over HTTP with curl: 3 POSTs of tests/indicators/events.ndjson (7 events, 3 of them
# matching an indicator) answered 200, one bad token (401), one text/html (415), 31 events
# over the burst of 30 (413), 10 events with 9 tokens left (429), 2 GET /healthz. The
# scrape must say exactly that, pass `promtool check metrics`, and vigie_http_connections
# must follow two connections held open, then closed.
set -u
vigie=$1
source_dir=$2
. "$source_dir/tests/serve/serve_lib.sh"
for tool in promtool curl python3; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done

cp "$source_dir/tests/indicators/bundle.json" "$work/bundle.json"
cat > "$work/vigie.yaml" <<YAML
http: {header_timeout_seconds: 120}
rules: {paths: [$source_dir/rules/windows], mapping: windows, cache_dir: $work/cache}
alerts: {output: $work/alerts.jsonl}
spool: {directory: $work/spool}
indicators:
  enabled: true
  store: $work/indicators.sqlite
  max_indicators: 5
  bundles: [$work/bundle.json]
agencies:
  - id: demo
    token_sha256: $(digest demo-token)
    rate_limit: {events_per_second: 0.001, burst: 30}  # no refill worth a token in the test
YAML
events=$source_dir/tests/indicators/events.ndjson
for _ in 1 2 3 4 5; do cat "$events"; done > "$work/35.ndjson"
head -n 31 "$work/35.ndjson" > "$work/31.ndjson"
head -n 10 "$work/35.ndjson" > "$work/10.ndjson"

scrape() { curl -s -o "$work/metrics" "http://127.0.0.1:$METRICS_A/metrics"; }
metric() {  # metric 'NAME{LABELS}': its value in $work/metrics, "absent" when none
  local v
  v=$(grep -F "$1 " "$work/metrics" | grep -v '^#' | head -1 | awk '{print $2}')
  echo "${v:-absent}"
}
metric_is() { scrape && [ "$(metric "$1")" = "$2" ]; }  # for wait_until
expect() {  # expect 'NAME{LABELS}' VALUE
  check "$1 = $2" equals "$(metric "$1")" "$2"
}

start_serve A "$work/vigie.yaml" || exit 1
for i in 1 2 3; do
  check "POST $i of the 7 events: 200" equals "$(post "$HTTP_A" demo-token "$events")" 200
done
check "a bad token: 401" equals "$(post "$HTTP_A" nope "$events")" 401
check "text/html: 415" equals "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer demo-token' \
  -H 'Content-Type: text/html' --data-binary "@$events" "http://127.0.0.1:$HTTP_A/v1/events")" 415
check "31 events, over the burst of 30: 413" equals "$(post "$HTTP_A" demo-token "$work/31.ndjson")" 413
check "10 events with 9 tokens left: 429" equals "$(post "$HTTP_A" demo-token "$work/10.ndjson")" 429
for _ in 1 2; do curl -s -o /dev/null "http://127.0.0.1:$HTTP_A/healthz"; done

# The metrics are published once a second: wait for the snapshot with every answer in it.
wait_until 10 metric_is 'vigie_http_responses_total{outcome="all"}' 9
expect 'vigie_http_responses_total{outcome="all"}' 9
expect 'vigie_http_responses_total{outcome="unauthorized"}' 1
expect 'vigie_http_responses_total{outcome="unsupported_media"}' 1
expect 'vigie_http_responses_total{outcome="too_large"}' 1
expect 'vigie_http_responses_total{outcome="rate_limited"}' 1
expect 'vigie_http_responses_total{outcome="unavailable"}' 0
# Events: 3 x 7 accepted, and every refused one counted under its reason (a request refused
# on its header counts 1: its body is never read).
expect 'vigie_events_received_total{agency="demo",input="http"}' $((21 + 1 + 31 + 10))
expect 'vigie_events_rejected_total{agency="demo",input="http",reason="unreadable_body"}' 1
expect 'vigie_events_rejected_total{agency="demo",input="http",reason="too_large"}' 31
expect 'vigie_events_rejected_total{agency="demo",input="http",reason="rate_limited"}' 10
expect 'vigie_events_rejected_total{agency="_unknown",input="http",reason="unauthorized"}' 1
expect 'vigie_received_bytes_total{agency="demo",input="http"}' \
  $((3 * $(wc -c <"$events") + $(wc -c <"$work/31.ndjson") + $(wc -c <"$work/10.ndjson")))
# Indicators: 7 objects, 1 refused (broken pattern): 6 stored, bound 5, so 1 evicted (the
# revoked or the expired one goes first); 1 stored outside the per-event subset
# (FOLLOWEDBY); 3 live, one per type with its TLP (GREEN and RED markings, AMBER default).
source_label="source=\"$work/bundle.json\""
expect 'vigie_indicators_stored' 5
expect 'vigie_indicators_max' 5
expect 'vigie_indicator_evictions_total' 1
expect 'vigie_indicators_not_matched_total' 1
expect 'vigie_indicator_objects_rejected_total' 1
expect "vigie_indicators{type=\"domain-name\",tlp=\"TLP:GREEN\",$source_label}" 1
expect "vigie_indicators{type=\"ipv4-addr\",tlp=\"TLP:AMBER\",$source_label}" 1
expect "vigie_indicators{type=\"file\",tlp=\"TLP:RED\",$source_label}" 1
check "no other live indicator series" equals "$(grep -c '^vigie_indicators{' "$work/metrics")" 3
# Each POST: the C2 domain (confidence 90: high), the network (40: medium), the hash (high).
expect 'vigie_indicator_matches_total' 9
expect 'vigie_alerts_total{agency="demo",level="high"}' 6
expect 'vigie_alerts_total{agency="demo",level="medium"}' 3
check "9 alerts written" equals "$(grep -c . "$work/alerts.jsonl")" 9

promtool check metrics <"$work/metrics" >"$work/lint.txt" 2>&1
check "promtool check metrics exits 0" equals "$?" 0
check "promtool has nothing to say" equals "$(cat "$work/lint.txt")" ""

# Two connections held open on the ingest port (no request: the header timeout is 120 s).
expect 'vigie_http_connections' 0
exec 5<>"/dev/tcp/127.0.0.1/$HTTP_A" 6<>"/dev/tcp/127.0.0.1/$HTTP_A"
wait_until 10 metric_is vigie_http_connections 2
expect 'vigie_http_connections' 2
exec 5>&- 6>&-
wait_until 10 metric_is vigie_http_connections 0
check "both closed: vigie_http_connections back to 0" equals "$(metric vigie_http_connections)" 0
stop_serve A
check "exit 0" equals "$STATUS" 0
[ "$failures" -eq 0 ] || { echo "--- scrape"; grep -v '^#' "$work/metrics"; echo "--- log"; cat "$work/A.log"; }

echo "item05 HTTP and indicator metrics: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
