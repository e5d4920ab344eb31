#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Hardening item 2: a poison message can never loop. Against a real nats-server and real
# `vigie serve` workers (nats.max_deliver 2, ack_wait 2 s, one message per fetch):
#  0. a consumer created by a worker with max_deliver 5 is brought to the new setting by the
#     next worker (MaxDeliver = max_deliver + 2: the delivery after max_deliver is the
#     worker's to dead-letter, and one spare covers a worker killed while doing so);
#  1. a message that no worker can finish: each worker's alert output is a FIFO nobody
#     reads, so the worker holds the message (fetched, never acknowledged); it is then
#     killed (kill -9) and a new worker started, until the message has been delivered
#     max_deliver times;
#  2. on its next delivery, a worker dead-letters it without evaluating it: it is on the
#     dead-letter subject with "delivered 3 times without being acknowledged", the
#     consumer holds nothing, and the worker counts it (vigie_nats_messages_total);
#  3. a fresh worker processes the messages published after it: each alerted once.
# Usage: item02_nats_poison_message.sh VIGIE VIGIE_NATS_TOOL SOURCE_DIR
set -euo pipefail
VIGIE=$1 TOOL=$2 SOURCE=$3
. "$SOURCE/tests/nats/nats_lib.sh"
. "$SOURCE/tests/support/check_lib.sh"
test_setup

# config NAME OUTPUT_PATH MAX_DELIVER: sets METRICS_PORT.
config() {
    METRICS_PORT=$(free_port)
    cat > "$WORK/$1.yaml" <<YAML
http: {listen: "127.0.0.1:$(free_port)"}
metrics: {listen: "127.0.0.1:$METRICS_PORT"}
rules: {paths: [$SOURCE/tests/nats/rules], mapping: flat, cache_dir: $WORK/cache}
engine: {threads: 1}
alerts:
  outputs:
    - {name: alerts, type: file, path: $2, fsync: never}
nats:
  enabled: true
  url: $NATS_URL
  ack_wait_seconds: 2
  fetch_batch: 1
  max_deliver: $3
agencies:
  - id: demo
    token_sha256: b5d56f2eacf505c2639b22468f3a8b1bcaf7d619cadbab47dc6ce515fc4c3612
log: {level: info}
YAML
}

metric() {  # port outcome: vigie_nats_messages_total{outcome=...}
    curl -s "http://127.0.0.1:$1/metrics" |
        sed -n "s/^vigie_nats_messages_total{outcome=\"$2\"} \([0-9]*\).*/\1/p"
}

metric_at_least() { [ "$(metric "$1" "$2")" -ge "$3" ] 2> /dev/null; }
metric_is() { [ "$(metric "$1" "$2")" = "$3" ]; }

wait_metric_at_least() {  # port outcome value: waits 30 s at most
    wait_until 30 metric_at_least "$@" && return 0
    echo "FAIL: vigie_nats_messages_total{outcome=\"$2\"} never reached $3 (port $1)"
    exit 1
}

wait_metric() {  # port outcome value: waits 30 s at most
    wait_until 30 metric_is "$@" && return 0
    echo "FAIL: vigie_nats_messages_total{outcome=\"$2\"} never reached $3 (port $1)"
    curl -s "http://127.0.0.1:$1/metrics" | grep nats_; tail -n 5 "$WORK"/*.log
    exit 1
}

# start NAME: sets LAST_PID once the worker serves (signals handled, NATS input started).
start() {
    start_vigie_serve "$WORK/$1.log" "$VIGIE" --config "$WORK/$1.yaml" > /dev/null || exit 1
    LAST_PID=$SERVE_PID
}

consumer_field() { json_field "$("$TOOL" consumer-info --url "$NATS_URL")" "$1"; }

start_nats

echo "== 0. the consumer follows nats.max_deliver"
config first "$WORK/first.alerts" 5
start first; stop_worker "$LAST_PID"
[ "$(consumer_field max_deliver)" = 7 ] || { echo "FAIL: consumer max_deliver is not 7"; exit 1; }
config second "$WORK/second.alerts" 2
start second; stop_worker "$LAST_PID"
[ "$(consumer_field max_deliver)" = 4 ] ||
    { echo "FAIL: the existing consumer kept max_deliver $(consumer_field max_deliver)"; exit 1; }
echo "consumer max_deliver: 7, then 4 (max_deliver 2 + the dead-lettering delivery + one spare)"

echo "== 1. a message held by its worker, which is killed (kill -9), again and again"
FIFO=$WORK/held.fifo
mkfifo "$FIFO"
exec 3<> "$FIFO"  # open, never read: a write of more than the pipe holds blocks forever
python3 -c 'import json; print(json.dumps({"seq": 1000000, "pad": "x" * 200000}))' > "$WORK/poison.ndjson"
"$TOOL" publish --url "$NATS_URL" --file "$WORK/poison.ndjson" --raw --sync --start 1000000
# Each worker fetches the message (its first delivery, or one after ack_wait when the
# previous worker was killed) and blocks writing its alert; a worker that lives past
# ack_wait may fetch it again itself. The delivery after the second is dead-lettered by
# whichever worker gets it, without evaluating it.
killed=0 last=""
for attempt in $(seq 10); do
    config "held$attempt" "$FIFO" 2
    start "held$attempt"; held=$LAST_PID
    wait_metric_at_least "$METRICS_PORT" fetched 1
    if [ "$(metric "$METRICS_PORT" dead_lettered)" != 0 ]; then
        last=$held; break
    fi
    if [ "$(metric "$METRICS_PORT" acked)" != 0 ]; then  # dead-lettered meanwhile, or a bug
        [ "$(metric "$METRICS_PORT" dead_lettered)" != 0 ] ||
            { echo "FAIL: the held message was acknowledged"; exit 1; }
        last=$held; break
    fi
    kill -9 "$held"; wait "$held" 2> /dev/null || true
    killed=$((killed + 1))
    echo "worker $attempt fetched the message and was killed holding it"
done
[ -n "$last" ] || { echo "FAIL: the message was never dead-lettered"; exit 1; }
[ "$killed" -ge 1 ] || { echo "FAIL: no worker was killed holding the message"; exit 1; }

echo "== 2. its last delivery is dead-lettered, not evaluated; the worker carries on"
wait_metric "$METRICS_PORT" dead_lettered 1
dead=$("$TOOL" dead-letters --url "$NATS_URL" --subject events.dead)
echo "dead letters: $dead"
[ "$(printf '%s\n' "$dead" | grep -c .)" = 1 ] || { echo "FAIL: not one dead letter"; exit 1; }
printf '%s' "$dead" | grep -q '"from":"events.demo"' || { echo "FAIL: Vigie-Subject"; exit 1; }
# 3 times; 4 only when a worker was killed between fetching the third delivery and
# publishing its dead letter (the consumer's spare delivery).
printf '%s' "$dead" | grep -Eq 'delivered [34] times without being acknowledged \(nats.max_deliver 2\)' ||
    { echo "FAIL: the dead letter does not give the reason"; exit 1; }
[ "$(json_field "$dead" bytes)" -gt 200000 ] || { echo "FAIL: the payload is not kept"; exit 1; }
"$TOOL" wait-drained --url "$NATS_URL" --timeout 30 > /dev/null ||
    { echo "FAIL: the consumer still holds the message"; exit 1; }
grep -q '"msg":"nats message dead-lettered"' "$WORK/held$attempt.log" || { echo "FAIL: not logged"; exit 1; }
delivery_limit_rejections() {
    curl -s "http://127.0.0.1:$METRICS_PORT/metrics" |
        grep -F 'vigie_events_rejected_total{agency="demo",input="nats",reason="delivery_limit"}'
}
one_rejection() { [ "$(delivery_limit_rejections | sed 's/.* //')" = 1 ]; }
# The ingest counts are folded about once a second: waits for the count, 30 s at most.
wait_until 30 one_rejection ||
    { echo "FAIL: not counted as rejected (delivery_limit): $(delivery_limit_rejections)"; exit 1; }
stop_worker "$last"  # it carries on: still serving, stops cleanly
exec 3>&-

echo "== 3. a fresh worker processes the messages published after it"
config fresh "$WORK/fresh.alerts" 2
start fresh; fresh=$LAST_PID
"$TOOL" publish --url "$NATS_URL" --file "$SOURCE/samples/windows-sysmon.ndjson" --count 100
"$TOOL" wait-drained --url "$NATS_URL" --timeout 60 > /dev/null
stop_worker "$fresh"
result=$("$TOOL" alerts --expect 100 "$WORK/fresh.alerts") || true
echo "alerts: $result"
[ "$(json_field "$result" missing)" = 0 ] && [ "$(json_field "$result" duplicated)" = 0 ] ||
    { cat "$WORK/fresh.log"; echo "FAIL: the fresh worker did not alert each message once"; exit 1; }
echo "PASS"
