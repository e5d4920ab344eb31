#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Issue 18 item 8: `vigie-nats-tool publish` resends a refused message under the same
# Nats-Msg-Id until the stream acknowledges it, for a bounded time. A real nats-server on
# a free loopback port:
#  1. the publisher starts before the stream exists (what a leader election looks like to
#     it: "no responders"); once it reports a refusal, the stream is created: every event
#     is acknowledged, the stream holds each one once (resent under the same id);
#  2. --raw lines with --id-prefix get an id and are resent the same way;
#  3. a subject no stream takes: the publisher gives up after --retry-seconds, exit 1,
#     naming the message, its tries and the last error.
# Usage: item08_publisher_resends.sh VIGIE VIGIE_NATS_TOOL SOURCE_DIR
set -euo pipefail
VIGIE=$1 TOOL=$2 SOURCE=$3
. "$SOURCE/tests/nats/nats_lib.sh"
test_setup
SAMPLE=$SOURCE/samples/windows-sysmon.ndjson
N=2000

# wait_refused PID ERRFILE: until the publisher says a message was refused (bounded).
wait_refused() {
    for _ in $(seq 300); do
        grep -q 'a message was refused' "$2" 2> /dev/null && return 0
        kill -0 "$1" 2> /dev/null || break
        sleep 0.02  # poll interval of a bounded wait on the condition checked above, not a synchronisation
    done
    cat "$2"; echo "FAIL: the publisher never reported a refused message"; exit 1
}

start_nats
echo "== 1. $N events published before the stream exists"
"$TOOL" publish --url "$NATS_URL" --file "$SAMPLE" --count "$N" --rate 1000 \
    > "$WORK/pub1.json" 2> "$WORK/pub1.err" &
PUB=$!
wait_refused "$PUB" "$WORK/pub1.err"
"$TOOL" hub-stream --url "$NATS_URL" --stream EVENTS --subjects 'events.>' --duplicate-window 120 > /dev/null
rc=0; wait "$PUB" || rc=$?
result=$(cat "$WORK/pub1.json")
echo "publisher: $result (exit $rc)"
[ "$rc" = 0 ] || { cat "$WORK/pub1.err"; echo "FAIL: the publisher gave up"; exit 1; }
[ "$(json_field "$result" acked)" = "$N" ] || { echo "FAIL: not every event acknowledged"; exit 1; }
[ "$(json_field "$result" resent)" -gt 0 ] || { echo "FAIL: nothing was resent"; exit 1; }
stored=$("$TOOL" subject-count --url "$NATS_URL" --subject events.demo)
echo "stream: $stored messages on events.demo"
[ "$stored" = "$N" ] || { echo "FAIL: expected $N messages in the stream, once each"; exit 1; }

echo "== 2. --raw lines with --id-prefix, the stream removed then created again"
printf '{"seq":%d,"EventID":1}\n' $(seq 1 500) > "$WORK/raw.ndjson"
stop_nats
start_nats
"$TOOL" publish --url "$NATS_URL" --file "$WORK/raw.ndjson" --raw --id-prefix demo-batch-7 \
    --rate 500 > "$WORK/pub2.json" 2> "$WORK/pub2.err" &
PUB=$!
wait_refused "$PUB" "$WORK/pub2.err"
"$TOOL" hub-stream --url "$NATS_URL" --stream EVENTS --subjects 'events.>' --duplicate-window 120 > /dev/null
rc=0; wait "$PUB" || rc=$?
result=$(cat "$WORK/pub2.json")
echo "publisher: $result (exit $rc)"
[ "$rc" = 0 ] && [ "$(json_field "$result" acked)" = 500 ] ||
    { cat "$WORK/pub2.err"; echo "FAIL: raw lines with ids not all acknowledged"; exit 1; }
[ "$("$TOOL" subject-count --url "$NATS_URL" --subject events.demo)" = 500 ] ||
    { echo "FAIL: expected the 500 raw lines once each"; exit 1; }

echo "== 3. no stream takes the subject: bounded, then a clear error"
rc=0
"$TOOL" publish --url "$NATS_URL" --file "$SAMPLE" --count 3 --subject-prefix nowhere \
    --retry-seconds 1 > "$WORK/pub3.json" 2> "$WORK/pub3.err" || rc=$?
echo "publisher: $(cat "$WORK/pub3.json") (exit $rc)"
sed 's/^/  /' "$WORK/pub3.err"
[ "$rc" = 1 ] || { echo "FAIL: expected exit 1"; exit 1; }
grep -q 'message demo-1 on nowhere.demo: not acknowledged by the stream after [0-9]* tries' \
    "$WORK/pub3.err" || { echo "FAIL: the error does not name the message and its tries"; exit 1; }
grep -q 'No responders' "$WORK/pub3.err" || { echo "FAIL: the last error is not named"; exit 1; }
[ "$(json_field "$(cat "$WORK/pub3.json")" errors)" = 3 ] || { echo "FAIL: 3 errors expected"; exit 1; }
echo "PASS"
