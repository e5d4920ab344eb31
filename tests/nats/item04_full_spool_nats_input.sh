#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Issue 18 item 4: a full spool with the NATS input neither spins nor loses events.
# WORKERS `vigie serve` workers (1 or 2, on one consumer) with the NATS input
# (ack_wait_seconds 2, max_deliver 1: the server gives a message up after 3 deliveries)
# forward alerts to a NATS hub that is down, each through a 1 MiB spool that fills. The
# spools stay full for HOLD seconds, longer than ack_wait x (max_deliver + 2):
#  1. the workers stop fetching and keep the held messages (InProgress): the consumer shows
#     no redelivery (with two workers, none of one's messages goes to the other), nothing is
#     dead-lettered; the workers' CPU is measured;
#  2. the log says it once when it starts: no line of the nats input during the hold;
#  3. vigie_events_received_total{input="nats"} never exceeds the events published;
# then the hub comes back:
#  4. every event has its alert in the hub's stream exactly once, the consumer drains, no
#     dead letter, and the received metric equals the events published (each counted once).
# Usage: item04_full_spool_nats_input.sh VIGIE VIGIE_NATS_TOOL SOURCE_DIR [EVENTS] [HOLD_S]
# (WORKERS=2 in the environment: two workers)
set -u
VIGIE=$1 TOOL=$2 SOURCE=$3 EVENTS=${4:-5000} HOLD=${5:-12} WORKERS=${WORKERS:-1}
. "$SOURCE/tests/nats/nats_lib.sh"
. "$SOURCE/tests/support/check_lib.sh"
test_setup
SAMPLE=$SOURCE/samples/windows-sysmon.ndjson
NAMES=$(seq -f 'w%g' "$WORKERS")

hub_port  # start_hub and stop_hub: nats_lib.sh

declare -A METRICS_PORT PID
worker_config() {  # NAME
    METRICS_PORT[$1]=$(free_port)
    cat > "$WORK/$1.yaml" <<YAML
http: {listen: 127.0.0.1:$(free_port)}
metrics: {listen: 127.0.0.1:${METRICS_PORT[$1]}}
rules: {paths: [$SOURCE/tests/nats/rules], mapping: flat, cache_dir: $WORK/cache-$1}
engine: {threads: 1}
alerts:
  format: jsonl
  outputs:
    - {name: hub, type: nats, url: $HUB_URL, subject_prefix: alerts, ack_timeout_ms: 2000}
  suppression: {window_seconds: 0, fields: []}
spool: {directory: $WORK/$1-spool, max_bytes: 1048576}
nats:
  enabled: true
  url: $NATS_URL
  ack_wait_seconds: 2
  max_deliver: 1
  fetch_batch: 64
agencies:
  - id: demo
    token_sha256: b5d56f2eacf505c2639b22468f3a8b1bcaf7d619cadbab47dc6ce515fc4c3612
log: {level: info}
YAML
}

received() {  # the workers' vigie_events_received_total{input="nats"}, summed
    local sum=0 name n
    for name in $NAMES; do
        n=$(curl -s "http://127.0.0.1:${METRICS_PORT[$name]}/metrics" |
            grep -E '^vigie_events_received_total\{[^}]*input="nats"[^}]*\} ' | head -1 |
            awk '{printf "%.0f", $2}')
        sum=$((sum + ${n:-0}))
    done
    echo "$sum"
}
cpu_ticks() {  # the workers' user + system time, summed
    local sum=0 name
    for name in $NAMES; do sum=$((sum + $(awk '{print $14 + $15}' "/proc/${PID[$name]}/stat"))); done
    echo "$sum"
}
input_lines() {  # the nats input's own log lines, all workers
    cat "$WORK"/w*.log | grep -c '"msg":"[^"]*nats \(input\|message\|dead\|fetch\)'
}
consumer() { "$TOOL" consumer-info --url "$NATS_URL"; }
dead_letters() { "$TOOL" subject-count --url "$NATS_URL" --stream EVENTS --subject events.dead; }

start_nats
start_hub
"$TOOL" hub-stream --url "$HUB_URL" --stream ALERTS --subjects 'alerts.>' --duplicate-window 600 \
    > /dev/null || { echo "FAIL: hub stream"; exit 1; }
stop_hub
for name in $NAMES; do
    worker_config "$name"
    start_worker "$name"
    PID[$name]=$LAST_PID
done

echo "== $EVENTS events, $WORKERS worker(s), the hub down, a 1 MiB spool each"
"$TOOL" publish --url "$NATS_URL" --file "$SAMPLE" --count "$EVENTS" > /dev/null
for name in $NAMES; do
    for _ in $(seq 300); do
        grep -q 'nats input paused' "$WORK/$name.log" && break
        sleep 0.1  # poll interval of a bounded wait on the condition checked above, not a synchronisation
    done
    check "$name: the log says the spool is full" grep -q 'alert spool full' "$WORK/$name.log"
    check "$name: the log says the nats input paused" grep -q 'nats input paused' "$WORK/$name.log"
done
lines_before=$(cat "$WORK"/w*.log | wc -l)
input_before=$(input_lines)
info_before=$(consumer)
ticks_before=$(cpu_ticks)
t0=$(date +%s.%N)
sleep "$HOLD"  # a measurement period (the outage), not a synchronisation
ticks_after=$(cpu_ticks)
t1=$(date +%s.%N)
info_after=$(consumer)
lines_after=$(cat "$WORK"/w*.log | wc -l)
input_after=$(input_lines)
cpu=$(awk -v a="$ticks_before" -v b="$ticks_after" -v t0="$t0" -v t1="$t1" -v hz="$(getconf CLK_TCK)" \
    'BEGIN {printf "%.1f", 100 * (b - a) / hz / (t1 - t0)}')
held_received=$(received)
echo "  held for $HOLD s (ack_wait 2 s, max_deliver 1): workers' CPU $cpu % of a core," \
    "$((lines_after - lines_before)) log lines ($((input_after - input_before)) of the nats input)"
echo "  consumer before: $info_before"
echo "  consumer after:  $info_after"
echo "  vigie_events_received_total{input=nats} while held: $held_received"
check "1: no message redelivered while held" equals "$(json_field "$info_after" num_redelivered)" 0
check "1: messages held, not acknowledged" test "$(json_field "$info_after" num_ack_pending)" -gt 0
check "1: no fetch while held" equals "$(json_field "$info_after" delivered)" \
    "$(json_field "$info_before" delivered)"
check "1: nothing dead-lettered while held" equals "$(dead_letters)" 0
check "2: the nats input logs nothing more while held" test "$((input_after - input_before))" -le 0
check "2: the log never says a message was dead-lettered or redelivered" \
    bash -c "! cat '$WORK'/w*.log | grep -q 'nats message dead-lettered\|will be redelivered'"
check "3: events counted at most once while held" test "$held_received" -le "$EVENTS"

echo "== the hub back"
start_hub
hub=$("$TOOL" hub-check --url "$HUB_URL" --stream ALERTS --expect "$EVENTS" --timeout 120)
echo "  hub: $hub"
check "4: every alert in the hub" equals "$(json_field "$hub" missing_seqs)" 0
check "4: no alert twice in the hub" equals "$(json_field "$hub" duplicate_seqs)" 0
check "4: $EVENTS messages in the hub" equals "$(json_field "$hub" messages)" "$EVENTS"
drained=$("$TOOL" wait-drained --url "$NATS_URL" --timeout 60)
echo "  consumer: $drained"
check "4: the consumer drained" equals "$(json_field "$drained" num_ack_pending)" 0
check "4: no message redelivered" equals "$(json_field "$drained" num_redelivered)" 0
check "4: no dead letter" equals "$(dead_letters)" 0
total=0
for _ in $(seq 50); do  # the figures are folded about once a second
    total=$(received)
    [ "$total" -ge "$EVENTS" ] && break
    sleep 0.2  # poll interval of a bounded wait on the condition checked above, not a synchronisation
done
check "4: each event received counted once" equals "$total" "$EVENTS"
for name in $NAMES; do
    check "4: $name: the log says ingest resumed" grep -q 'nats input resumed' "$WORK/$name.log"
    stop_worker "${PID[$name]}"
done
echo "  log lines of the run: $(cat "$WORK"/w*.log | wc -l) ($(cat "$WORK"/w*.log | grep -c '"level":"error"') errors)"
[ -n "${KEEP_LOGS:-}" ] && mkdir -p "$KEEP_LOGS" && cp "$WORK"/*.log "$WORK"/*.yaml "$KEEP_LOGS"/
echo "$pass checks passed, $failures failed"
[ "$failures" -eq 0 ] && echo PASS
[ "$failures" -eq 0 ]
