#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Issue 18 item 3: no dead letter is lost in a failover. A 3-node JetStream cluster on
# loopback (tests/nats/cluster_lib.sh), EVENTS with 3 replicas (the dead-letter subject
# events.dead is inside it), one `vigie serve` worker given the three servers. Messages of
# an unknown agency (each one a dead letter) are published at RATE/s for SECONDS s, each
# under its own Nats-Msg-Id and resent until the stream acks it, while the EVENTS leader
# is killed (kill -9) twice and restarted. Then every message published has exactly one dead
# letter in the stream (the original acknowledged only once the stream acked its copy; a
# copy published again after a lost answer carries the same Nats-Msg-Id, dl-EVENTS-<seq>,
# dropped by the stream as a duplicate), the consumer has drained, and the log never says a
# dead letter was stored that is not in the stream.
# Usage: item03_dead_letters_failover.sh VIGIE VIGIE_NATS_TOOL SOURCE_DIR [RATE] [SECONDS]
set -u
VIGIE=$1 TOOL=$2 SOURCE=$3 RATE=${4:-300} SECONDS_RUN=${5:-30}
. "$SOURCE/tests/nats/nats_lib.sh"
. "$SOURCE/tests/nats/cluster_lib.sh"
. "$SOURCE/tests/support/check_lib.sh"
test_setup
command -v curl > /dev/null || { echo "SKIP: curl is not installed"; exit 77; }
SAMPLE=$SOURCE/samples/windows-sysmon.ndjson

dead_count() {  # dead letters in EVENTS now ("" while the stream cannot answer)
    "$TOOL" subject-count --url "$CLUSTER_URLS" --subject events.dead 2> /dev/null
}
# wait_dead_above N SECONDS: until the stream holds more than N dead letters.
wait_dead_above() { wait_until "$2" count_above "$1" dead_count; }

start_cluster 3
NATS_URL=$CLUSTER_URLS  # start_worker waits on the consumer through it
cat > "$WORK/w.yaml" <<YAML
http: {listen: "127.0.0.1:$(free_port)"}
metrics: {listen: "127.0.0.1:$(free_port)"}
rules: {paths: [$SOURCE/tests/nats/rules], mapping: flat, cache_dir: $WORK/cache}
engine: {threads: 1}
alerts: {output: $WORK/w.alerts}
nats:
  enabled: true
  url: "$CLUSTER_URLS"
  replicas: 3
  duplicate_window_seconds: 300
  ack_wait_seconds: 5
  connect_retry_seconds: 60
agencies:
  - id: demo
    token_sha256: b5d56f2eacf505c2639b22468f3a8b1bcaf7d619cadbab47dc6ce515fc4c3612
log: {level: warning}
YAML
start_worker w
W=$LAST_PID
wait_stream_current EVENTS 30 || { echo "FAIL: EVENTS replicas not current"; exit 1; }

echo "== $RATE unknown-agency messages/s for $SECONDS_RUN s; the EVENTS leader killed twice"
start_load --agency unknown --file "$SAMPLE" --rate "$RATE"
for round in 1 2; do
    wait_dead_above $((RATE * 3 * round)) 60 || { echo "FAIL: no dead letters stored"; exit 1; }
    leader=$(wait_stream_leader EVENTS 30)
    [ -n "$leader" ] || { echo "FAIL: EVENTS has no leader"; exit 1; }
    at=$(dead_count)
    kill_node "$leader"
    new=$(wait_new_leader EVENTS "$leader" 30)
    wait_dead_above "$((${at:-0} + RATE))" 60 || { echo "FAIL: dead letters stopped"; exit 1; }
    check "round $round under load" kill -0 "$PUB"
    echo "  round $round: kill -9 of n$leader (EVENTS leader, ${at:-?} dead letters); new leader n$new"
    restart_node "$leader"
    wait_stream_current EVENTS 60 || { echo "FAIL: EVENTS replicas not current"; exit 1; }
done
end_load "$SECONDS_RUN"  # as long as the two rounds take, at least SECONDS_RUN
pub_rc=$PUB_RC
published=$(json_field "$(cat "$WORK/publish.json")" published)
echo "  publisher: $(cat "$WORK/publish.json") (exit $pub_rc)"
# Its stderr (which message it gave up on, after how many tries, why) is no *.log that a
# failure prints: shown here, as cluster_failover_test.sh does, but for the one notice of
# the first refusal that every run has.
grep -v '^vigie-nats-tool: a message was refused' "$WORK/publish.err" | head -5
check "every message acknowledged by the events stream" equals "$pub_rc" 0

drained=$("$TOOL" wait-drained --url "$CLUSTER_URLS" --timeout 120)
echo "  consumer: $drained"
in_stream=$("$TOOL" subject-count --url "$CLUSTER_URLS" --subject events.unknown)
dead=$(dead_count)
stop_worker "$W"

stored_lines=$(grep -c '"msg":"nats message dead-lettered"' "$WORK/w.log")
waits=$(grep -c '"msg":"nats dead letter not stored' "$WORK/w.log")
already=$(grep -c 'already there' "$WORK/w.log")
echo "  events stream: $in_stream on events.unknown, $dead dead letters on events.dead"

echo "  log: $stored_lines dead letters stored ($already already there), $waits waits"
check "the consumer drained" test -n "$drained"
check "each message stored once" equals "$in_stream" "$published"
check "one dead letter per message, none lost" equals "$dead" "$published"
check "every dead letter the log says stored is in the stream" test "$stored_lines" -ge "$dead"
check "the log never says published" bash -c "! grep -q '\"published\":\"true\"' '$WORK/w.log'"

[ -n "${KEEP_LOGS:-}" ] && mkdir -p "$KEEP_LOGS" && cp "$WORK"/*.log "$WORK"/*.yaml "$KEEP_LOGS"/
echo "$pass checks passed, $failures failed"
[ "$failures" -eq 0 ] && echo PASS
[ "$failures" -eq 0 ]
