#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Issue 19 item 5: vigie_nats_messages_total and the NATS input's event counts of a real
# `vigie serve` worker on a real nats-server, with counts that follow from what the test
# published (no injected figures): 30 numbered events of agency demo, 2 of an unknown
# agency (ghost) and 4 raw lines of demo of which 3 are malformed (truncated JSON twice,
# an array) and 1 a good event. The 5 bad messages are dead-lettered to events.dead, which
# the EVENTS stream keeps: the worker fetches and acknowledges those copies too, without
# evaluating them. Usage: item05_nats_metrics.sh VIGIE VIGIE_NATS_TOOL SOURCE_DIR
set -u
VIGIE=$1 TOOL=$2 SOURCE=$3
. "$SOURCE/tests/nats/nats_lib.sh"
. "$SOURCE/tests/support/check_lib.sh"
test_setup
command -v promtool >/dev/null || { echo "SKIP: promtool is not installed"; exit 77; }
SAMPLE=$SOURCE/samples/windows-sysmon.ndjson

start_nats
write_config w1
start_worker w1
W1=$LAST_PID
metrics_port=$(sed -n '/^metrics:/{n;s/.*127\.0\.0\.1:\([0-9]*\).*/\1/p}' "$WORK/w1.yaml")
scrape() { curl -s -o "$WORK/metrics" "http://127.0.0.1:$metrics_port/metrics"; }
metric() {  # metric 'NAME{LABELS}': its value in $WORK/metrics, "absent" when none
  local v
  v=$(grep -F "$1 " "$WORK/metrics" | grep -v '^#' | head -1 | awk '{print $2}')
  echo "${v:-absent}"
}
metric_is() { scrape && [ "$(metric "$1")" = "$2" ]; }  # for wait_until
expect() { check "$1 = $2" equals "$(metric "$1")" "$2"; }

"$TOOL" publish --url "$NATS_URL" --file "$SAMPLE" --count 30 > /dev/null
"$TOOL" publish --url "$NATS_URL" --file "$SAMPLE" --count 2 --agency ghost > /dev/null
printf '%s\n' '{"broken":' '[1,2]' '{"seq":31,"EventID":1}' '{"x":' > "$WORK/raw.ndjson"
"$TOOL" publish --url "$NATS_URL" --file "$WORK/raw.ndjson" --raw --id-prefix raw > /dev/null
"$TOOL" wait-drained --url "$NATS_URL" --timeout 60 > /dev/null

# The metrics are published once a second: wait for the snapshot with every message in it.
wait_until 10 metric_is 'vigie_nats_messages_total{outcome="acked"}' 41
expect 'vigie_nats_messages_total{outcome="fetched"}' $((30 + 2 + 4 + 5))  # + the 5 copies
expect 'vigie_nats_messages_total{outcome="acked"}' 41
expect 'vigie_nats_messages_total{outcome="dead_lettered"}' 5
expect 'vigie_nats_messages_total{outcome="redelivered"}' 0
expect 'vigie_nats_messages_total{outcome="naked"}' 0
expect 'vigie_nats_pending_messages' 0
expect 'vigie_events_received_total{agency="demo",input="nats"}' 34
expect 'vigie_events_rejected_total{agency="demo",input="nats",reason="malformed_json"}' 3
expect 'vigie_events_received_total{agency="_unknown",input="nats"}' 2
expect 'vigie_events_rejected_total{agency="_unknown",input="nats",reason="unknown_agency"}' 2
expect 'vigie_alerts_total{agency="demo",level="low"}' 31  # the numbered-event rule, once each
check "no HTTP input counted" equals "$(grep -c 'input="http"' "$WORK/metrics")" 0
check "31 alerts written" equals "$(grep -c . "$WORK/w1.alerts")" 31
check "5 dead letters logged" equals "$(grep -c '"msg":"nats message dead-lettered"' "$WORK/w1.log")" 5
promtool check metrics <"$WORK/metrics" >"$WORK/lint.txt" 2>&1
check "promtool check metrics exits 0" equals "$?" 0
check "promtool has nothing to say" equals "$(cat "$WORK/lint.txt")" ""
stop_worker "$W1"
[ "$failures" -eq 0 ] || { echo "--- scrape"; grep -v '^#' "$WORK/metrics"; echo "--- log"; cat "$WORK/w1.log"; }

echo "item05 NATS metrics: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
