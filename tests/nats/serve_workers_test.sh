#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Two `vigie serve` workers on one durable JetStream consumer, against a real nats-server
# on a free loopback port. Every event carries a unique "seq" that the test rule alerts on.
#  1. normal run: 100,000 events, every seq alerted exactly once across both workers;
#  2. kill -9 of one worker mid-run: every seq alerted at least once (none lost); how many
#     were alerted twice (written by the killed worker, not yet acknowledged, redelivered)
#     is printed.
# Usage: serve_workers_test.sh VIGIE VIGIE_NATS_TOOL SOURCE_DIR [EVENTS]
set -euo pipefail
VIGIE=$1 TOOL=$2 SOURCE=$3 EVENTS=${4:-100000}
. "$SOURCE/tests/nats/nats_lib.sh"
test_setup
SAMPLE=$SOURCE/samples/windows-sysmon.ndjson

echo "== normal run: two workers, $EVENTS events"
start_nats
write_config w1
write_config w2
start_worker w1; W1=$LAST_PID
start_worker w2; W2=$LAST_PID
"$TOOL" publish --url "$NATS_URL" --file "$SAMPLE" --count "$EVENTS"
"$TOOL" wait-drained --url "$NATS_URL" --timeout 300
stop_worker "$W1"
stop_worker "$W2"
result=$("$TOOL" alerts --expect "$EVENTS" "$WORK/w1.alerts" "$WORK/w2.alerts") || true
echo "alerts: $result"
n1=$(wc -l < "$WORK/w1.alerts"); n2=$(wc -l < "$WORK/w2.alerts")
echo "worker 1: $n1 alerts, worker 2: $n2 alerts"
[ "$(json_field "$result" missing)" = 0 ] || { echo "FAIL: events lost"; exit 1; }
[ "$(json_field "$result" duplicated)" = 0 ] || { echo "FAIL: events processed twice"; exit 1; }
[ "$(json_field "$result" alerts)" = "$EVENTS" ] || { echo "FAIL: alert count"; exit 1; }
[ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] || { echo "FAIL: one worker got no work"; exit 1; }
if grep -q '"level":"error"' "$WORK/w1.log" "$WORK/w2.log"; then
    grep '"level":"error"' "$WORK/w1.log" "$WORK/w2.log"; echo "FAIL: errors logged"; exit 1
fi

echo "== kill -9 of one worker during a $EVENTS-event run"
stop_nats   # a fresh server and stream
start_nats
LOG_LEVEL=info write_config k1
LOG_LEVEL=info write_config k2
# The events are published first, then the workers start: they are then busy (the
# publisher is slower than two workers), so that the killed one has messages in flight.
start_worker k1; stop_worker "$LAST_PID"   # creates the stream and the consumer
"$TOOL" publish --url "$NATS_URL" --file "$SAMPLE" --count "$EVENTS"
start_worker k1; K1=$LAST_PID
start_worker k2; K2=$LAST_PID
target=$((EVENTS / 4))
for _ in $(seq 600); do
    written=$({ cat "$WORK/k1.alerts" "$WORK/k2.alerts" 2> /dev/null || true; } | wc -l)
    [ "$written" -ge "$target" ] && break
    sleep 0.02  # poll interval of a bounded wait on the condition checked above, not a synchronisation
done
k1_before=$(wc -l < "$WORK/k1.alerts")
{ kill -9 "$K1"; wait "$K1"; } 2> /dev/null || true
echo "killed worker 1 (kill -9) after $written alerts in all ($k1_before of them by worker 1)"
"$TOOL" wait-drained --url "$NATS_URL" --timeout 300
info=$("$TOOL" consumer-info --url "$NATS_URL")
stop_worker "$K2"
result=$("$TOOL" alerts --expect "$EVENTS" "$WORK/k1.alerts" "$WORK/k2.alerts") || true
echo "alerts: $result"
echo "consumer: $info"
[ "$(json_field "$result" missing)" = 0 ] || { echo "FAIL: events lost after kill -9"; exit 1; }
closed=$(grep '"nats input closed"' "$WORK/k2.log" || true)
redelivered=$(json_field "$closed" redelivered)
echo "redelivered to worker 2: ${redelivered:-?} messages (fetched by the killed worker, never" \
     "acknowledged); alerted twice: $(json_field "$result" duplicated) (written by the killed" \
     "worker before it could acknowledge them)"
[ "${redelivered:-0}" -gt 0 ] || { echo "FAIL: no message of the killed worker was redelivered"; exit 1; }
echo "PASS"
