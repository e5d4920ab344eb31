#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Issue 18, acceptance 1: failover under load on a 3-node JetStream cluster (real
# nats-server processes on loopback, tests/nats/cluster_lib.sh).
#  - the events stream (EVENTS, 3 replicas, created by vigie from nats.replicas) and the
#    hub's alert stream (ALERTS on alerts.>, 3 replicas, 600 s duplicate window) live on
#    the same cluster; two `vigie serve` workers are given the three servers for their
#    input and for their nats output (the hub), and a file output each;
#  - vigie-nats-tool publishes numbered events at RATE/s for SECONDS s, each under its own
#    Nats-Msg-Id, resent under it until the stream acks (issue 18 item 8);
#  - during the load, the EVENTS stream's leader, then the ALERTS stream's leader, then the
#    leader of the workers' consumer is killed (kill -9), and restarted once a new leader
#    is elected and alerts flow again;
#  - then: every event is in the events stream once, processed (acked by a worker), and
#    has exactly one alert in the hub's stream (missing 0; a repeat of an alert by a worker
#    carries the same uid, which the hub drops as a duplicate Nats-Msg-Id);
#  - a worker started while the first node of its server list is down: its input processes
#    events and its hub output delivers their alerts (the input's start-up with nodes down
#    is tested more closely by cluster_startup_test.sh).
# Prints the figures: published, resent, processed, alerts (files, hub), missing, repeats,
# and per leader killed the time to a new leader, to alerts flowing again, to replicas current.
# Usage: cluster_failover_test.sh VIGIE VIGIE_NATS_TOOL SOURCE_DIR [RATE] [SECONDS]
set -u
VIGIE=$1 TOOL=$2 SOURCE=$3 RATE=${4:-500} SECONDS_RUN=${5:-45}
. "$SOURCE/tests/nats/nats_lib.sh"
. "$SOURCE/tests/nats/cluster_lib.sh"
. "$SOURCE/tests/support/check_lib.sh"
test_setup
command -v curl > /dev/null || { echo "SKIP: curl is not installed"; exit 77; }
SAMPLE=$SOURCE/samples/windows-sysmon.ndjson

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}'; }
hub_count() {  # alerts in the hub's stream now ("" while it cannot answer)
    "$TOOL" subject-count --url "$CLUSTER_URLS" --stream ALERTS --subject 'alerts.>' 2> /dev/null
}
# wait_hub_above N SECONDS: until the hub holds more than N alerts; false if never.
wait_hub_above() { wait_until "$2" count_above "$1" hub_count; }

# cluster_config NAME: the worker NAME, input and hub output on every node of the cluster.
cluster_config() {
    cat > "$WORK/$1.yaml" <<YAML
http: {listen: "127.0.0.1:$(free_port)"}
metrics: {listen: "127.0.0.1:$(free_port)"}
rules: {paths: [$SOURCE/tests/nats/rules], mapping: flat, cache_dir: $WORK/cache}
engine: {threads: 1}
alerts:
  format: jsonl
  outputs:
    - {name: archive, type: file, path: $WORK/$1.alerts}
    - {name: hub, type: nats, url: "$CLUSTER_URLS", subject_prefix: alerts, ack_timeout_ms: 2000}
  suppression: {window_seconds: 0, fields: []}
spool: {directory: $WORK/$1-spool, max_bytes: 268435456}
nats:
  enabled: true
  url: "$CLUSTER_URLS"
  replicas: 3
  duplicate_window_seconds: 300
  ack_wait_seconds: 5
  fetch_batch: 256
  connect_retry_seconds: 60
agencies:
  - id: demo
    token_sha256: b5d56f2eacf505c2639b22468f3a8b1bcaf7d619cadbab47dc6ce515fc4c3612
log: {level: info}
YAML
}

# leader_of WHAT: the node leading the EVENTS or ALERTS stream, or (consumer) the workers'
# durable consumer; empty while there is none on a running node.
leader_of() {
    if [ "$1" = consumer ]; then consumer_leader EVENTS vigie; else stream_leader "$1"; fi
}

# kill_leader ROUND WHAT: kill -9 of WHAT's leader under load, the new leader's election
# and the hub's progress timed, then the node restarted and every replica caught up.
kill_leader() {
    local round=$1 what=$2 leader="" new="" at t0 elected resumed
    for _ in $(seq 300); do leader=$(leader_of "$what"); [ -n "$leader" ] && break; sleep 0.1; done  # poll interval of a bounded wait on the condition checked above, not a synchronisation
    [ -n "$leader" ] || { echo "FAIL: $what has no leader"; exit 1; }
    at=$(hub_count)
    t0=$(now)
    kill_node "$leader"
    for _ in $(seq 300); do
        new=$(leader_of "$what")
        [ -n "$new" ] && [ "$new" != "$leader" ] && break
        sleep 0.1  # poll interval of a bounded wait on the condition checked above, not a synchronisation
    done
    [ -n "$new" ] && [ "$new" != "$leader" ] ||
        { echo "FAIL: $what elected no new leader after n$leader was killed"; exit 1; }
    elected=$(since "$t0")
    wait_hub_above "$((${at:-0} + RATE))" 60 || { echo "FAIL: the hub stopped growing"; exit 1; }
    resumed=$(since "$t0")
    kill -0 "$PUB" 2> /dev/null || echo "  (round $round: the publisher had finished)"
    check "round $round under load" kill -0 "$PUB"
    echo "  round $round: kill -9 of n$leader, leader of $what (hub at ${at:-?} alerts):" \
         "new leader n$new after $elected s; hub past ${at:-?} + $RATE alerts after $resumed s"
    restart_node "$leader"
    for s in EVENTS ALERTS; do
        wait_stream_current "$s" 60 || { echo "FAIL: $s replicas not current after n$leader restarted"; exit 1; }
    done
    echo "  n$leader restarted, every replica of EVENTS and ALERTS current $(since "$t0") s after the kill"
    echo "| $round | $what | n$leader | $elected s | $resumed s | $(since "$t0") s |" >> "$WORK/rounds.md"
}

echo "== a 3-node JetStream cluster, the hub stream, two workers"
start_cluster 3
NATS_URL=$CLUSTER_URLS  # start_worker waits on the consumer through it
"$TOOL" hub-stream --url "$CLUSTER_URLS" --stream ALERTS --subjects 'alerts.>' \
    --duplicate-window 600 --replicas 3 > /dev/null || { echo "FAIL: hub stream"; exit 1; }
cluster_config w1
cluster_config w2
start_worker w1; W1=$LAST_PID
start_worker w2; W2=$LAST_PID
check "EVENTS created with 3 replicas" equals "$(stream_field EVENTS config.num_replicas)" 3
check "EVENTS duplicate window from the configuration" \
    equals "$(stream_field EVENTS config.duplicate_window)" 300000000000
check "ALERTS with 3 replicas" equals "$(stream_field ALERTS config.num_replicas)" 3
wait_stream_current EVENTS 30 && wait_stream_current ALERTS 30 ||
    { echo "FAIL: the streams' replicas are not current"; exit 1; }

echo "== $RATE events/s for at least $SECONDS_RUN s; the leaders of EVENTS, ALERTS, the consumer killed"
: > "$WORK/rounds.md"
t_pub=$(now)
start_load --file "$SAMPLE" --rate "$RATE"
wait_hub_above $((RATE * 3)) 60 || { echo "FAIL: no alerts reach the hub"; exit 1; }
round=0
for what in EVENTS ALERTS consumer; do
    round=$((round + 1))
    kill_leader "$round" "$what"
done
end_load "$SECONDS_RUN"  # as long as the three rounds take, at least SECONDS_RUN
pub_rc=$PUB_RC
published=$(json_field "$(cat "$WORK/publish.json")" published)
echo "  publisher ($(since "$t_pub") s): $(cat "$WORK/publish.json") (exit $pub_rc)"
grep -v '^vigie-nats-tool: a message was refused' "$WORK/publish.err" | head -5
check "every event acknowledged by the events stream" equals "$pub_rc" 0
check "publisher: acked == published" equals "$(json_field "$(cat "$WORK/publish.json")" acked)" "$published"

echo "== counts"
t_end=$(now)
drained=$("$TOOL" wait-drained --url "$CLUSTER_URLS" --timeout 180)
check "consumer drained" test -n "$drained"
in_stream=$("$TOOL" subject-count --url "$CLUSTER_URLS" --subject events.demo)
HUB=$("$TOOL" hub-check --url "$CLUSTER_URLS" --stream ALERTS --expect "$published" --timeout 180)
caught_up=$(since "$t_end")
stop_worker "$W1"
stop_worker "$W2"
files=$("$TOOL" alerts --expect "$published" "$WORK/w1.alerts" "$WORK/w2.alerts")
processed=0 redelivered=0
for w in w1 w2; do
    line=$(grep '"nats input closed"' "$WORK/$w.log" | tail -1)
    acked=$(json_field "$line" acked) again=$(json_field "$line" redelivered)
    processed=$((processed + ${acked:-0}))
    redelivered=$((redelivered + ${again:-0}))
done
echo "  events stream: $in_stream messages on events.demo (published $published)"
echo "  workers: $processed messages acked ($redelivered redelivered); consumer: $drained"
echo "  file outputs: $files"
echo "  hub: $HUB (all there $caught_up s after the end of publishing)"
check "each event stored once in EVENTS" equals "$in_stream" "$published"
check "every event processed" test "$processed" -ge "$published"
check "files: no event without an alert" equals "$(json_field "$files" missing)" 0
check "files: a repeated alert keeps its uid" equals "$(json_field "$files" repeats_other_uid)" 0
check "hub: one alert per event" equals "$(json_field "$HUB" messages)" "$published"
check "hub: no event missing" equals "$(json_field "$HUB" missing_seqs)" 0
check "hub: no event twice" equals "$(json_field "$HUB" duplicate_seqs)" 0
check "hub: distinct ids == messages" equals "$(json_field "$HUB" distinct_ids)" "$published"
check "hub: Nats-Msg-Id == alert uid" equals "$(json_field "$HUB" id_mismatch)" 0
cat > "$WORK/figures.md" <<MD
| published | resent by the publisher (longest wait for an ack) | processed (acked by workers) | redelivered | alerts in files | repeats in files | alerts in the hub | missing | twice in the hub |
|---|---|---|---|---|---|---|---|---|
| $published | $(json_field "$(cat "$WORK/publish.json")" resent) ($(json_field "$(cat "$WORK/publish.json")" longest_wait) s) | $processed | $redelivered | $(json_field "$files" alerts) | $(json_field "$files" duplicated) | $(json_field "$HUB" messages) | $(json_field "$HUB" missing_seqs) | $(json_field "$HUB" duplicate_seqs) |

| round | leader of | node killed | new leader after | hub past its count + 1 s of events after | replicas current after |
|---|---|---|---|---|---|
$(cat "$WORK/rounds.md")
MD
cat "$WORK/figures.md"

echo "== a worker started while the first node of its list is down: its input and hub output"
kill_node 1
wait_new_leader EVENTS 1 30 > /dev/null && wait_new_leader ALERTS 1 30 > /dev/null ||
    { echo "FAIL: no leader without n1"; exit 1; }
cluster_config w3
t0=$(now)
start_worker w3; W3=$LAST_PID
for _ in $(seq 300); do  # the consumer exists already: wait for w3's own input
    grep -q '"msg":"nats input started"' "$WORK/w3.log" && break
    kill -0 "$W3" 2> /dev/null || break
    sleep 0.1  # poll interval of a bounded wait on the condition checked above, not a synchronisation
done
check "n1 down: worker 3's input started" grep -q '"msg":"nats input started"' "$WORK/w3.log"
echo "  worker 3's input up $(since "$t0") s after its start, n1 (first of its list) down"
extra=1000
"$TOOL" publish --url "$CLUSTER_URLS" --file "$SAMPLE" --count "$extra" --start $((published + 1)) \
    > "$WORK/publish3.json" 2> "$WORK/publish3.err"
check "n1 down: events acknowledged" equals "$(json_field "$(cat "$WORK/publish3.json")" acked)" "$extra"
total=$((published + extra))
"$TOOL" wait-drained --url "$CLUSTER_URLS" --timeout 120 > /dev/null
HUB=$("$TOOL" hub-check --url "$CLUSTER_URLS" --stream ALERTS --expect "$total" --timeout 120)
stop_worker "$W3"
w3=$("$TOOL" alerts "$WORK/w3.alerts")
echo "  worker 3: $w3; hub: $HUB"
check "n1 down: worker 3 alerted every new event" equals "$(json_field "$w3" unique)" "$extra"
check "n1 down: worker 3's hub output delivered, the hub holds every alert once" equals "$(json_field "$HUB" messages)" "$total"
check "n1 down: hub missing none" equals "$(json_field "$HUB" missing_seqs)" 0

if [ "$failures" -gt 0 ]; then
    for w in w1 w2 w3; do
        echo "--- $w (last warnings and errors)"
        grep -hE '"level":"(warning|error)"' "$WORK/$w.log" 2> /dev/null | tail -n 6
    done
fi
[ -n "${KEEP_FIGURES:-}" ] && cp "$WORK/figures.md" "$KEEP_FIGURES"
echo "$pass checks passed, $failures failed"
[ "$failures" -eq 0 ] && echo PASS
[ "$failures" -eq 0 ]
