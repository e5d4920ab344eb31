#!/usr/bin/env bash
# Issue 19 item 6: "A lost server is reconnected to forever" (README, NATS input). A real
# nats-server (JetStream, its store in $WORK) and one `vigie serve` worker: 20 events are
# alerted; nats-server is killed (-9) and, after an outage longer than the client's
# reconnect wait (1 s), started again on the same port with the same store; 20 events
# published after the restart are alerted too, the worker says it reconnected, never
# exited, and stops with exit 0 on SIGTERM. Every event gives exactly one alert.
# Usage: item06_nats_reconnect.sh VIGIE VIGIE_NATS_TOOL SOURCE_DIR
set -u
VIGIE=$1 TOOL=$2 SOURCE=$3
. "$SOURCE/tests/nats/nats_lib.sh"
. "$SOURCE/tests/support/check_lib.sh"
test_setup
SAMPLE=$SOURCE/samples/windows-sysmon.ndjson
show_logs() {  # a failing test shows what its processes said
  [ "$failures" -eq 0 ] && return
  echo "--- worker log"; cat "$WORK/w1.log"; echo "--- nats-server log"; tail -n 20 "$WORK/nats-server.log"
}

start_nats
LOG_LEVEL=info write_config w1
start_worker w1
W1=$LAST_PID
"$TOOL" publish --url "$NATS_URL" --file "$SAMPLE" --count 20 > /dev/null
result=$("$TOOL" alerts --follow --expect 20 --timeout 60 "$WORK/w1.alerts")
check "before the outage: the 20 events alerted" equals "$(json_field "$result" missing)" 0
"$TOOL" wait-drained --url "$NATS_URL" --timeout 60 > /dev/null  # acknowledged, not resent

kill -9 "$NATS_PID"
wait "$NATS_PID" 2>/dev/null
check "the worker sees the server go" wait_until 30 log_has "$WORK/w1.log" 'nats disconnected; reconnecting'
sleep 3  # a deliberate outage: three of the client's one-second reconnect attempts fail
nats-server -js -a 127.0.0.1 -p "$NATS_PORT" -sd "$WORK/nats-store" >> "$WORK/nats-server.log" 2>&1 &
NATS_PID=$!
PIDS+=("$NATS_PID")
wait_port "$NATS_PORT" 10 || { echo "FAIL: nats-server did not start again"; cat "$WORK/nats-server.log"; exit 1; }
"$TOOL" publish --url "$NATS_URL" --file "$SAMPLE" --count 20 --start 21 > /dev/null
result=$("$TOOL" alerts --follow --expect 40 --timeout 60 "$WORK/w1.alerts")
check "after the restart: the 20 new events alerted" equals "$(json_field "$result" missing)" 0
check "  each event once" equals "$(json_field "$result" alerts)" 40
check "the worker says it reconnected" log_has "$WORK/w1.log" '"msg":"nats reconnected"'
check "the worker never exited" kill -0 "$W1"
kill -TERM "$W1"
rc=0
wait "$W1" || rc=$?
check "SIGTERM: exit 0" equals "$rc" 0
show_logs

echo "item06 NATS reconnect: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
