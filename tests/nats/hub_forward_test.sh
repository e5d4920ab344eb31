#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Forwarding of alerts to a NATS JetStream hub through the spool (alerts.outputs with a
# file output and a nats output): a real nats-server as the hub (its own store, restarted
# on the same port and store), `vigie serve` fed numbered events ({"seq":N,...}) over HTTP.
#  1. normal forwarding: every alert reaches the hub's stream once;
#  2. the hub down (kill -9) while events are accepted: the alerts wait in the spool
#     (metrics), then the hub comes back: every alert arrives, none twice;
#  3. kill -9 of vigie with alerts not yet forwarded (hub down), hub up, vigie restarted on
#     the same spool; then kill -9 of vigie while it catches up a backlog: none lost, none
#     twice in the stream (the hub drops re-sent Nats-Msg-Ids within its duplicate window);
#  4. a 1 MiB spool with the hub down: POSTs end up refused (503 + Retry-After), the log
#     says the spool is full; the refused ones are sent again once the hub is back, and
#     every event accepted has its alert in the hub;
#  5. every alert of the file output validates against docs/alert.schema.json;
#  6. vigie's own /metrics passes `promtool check metrics`, and Debian's
#     prometheus-pushgateway received vigie's pushes with the figures of the run.
# Usage: hub_forward_test.sh VIGIE VIGIE_NATS_TOOL SOURCE_DIR
set -u
VIGIE=$1 TOOL=$2 SOURCE=$3
. "$SOURCE/tests/nats/nats_lib.sh"
. "$SOURCE/tests/support/check_lib.sh"
test_setup
TOKEN=hub-forward-test-token
BATCH=${BATCH:-100}

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}'; }

# The hub: one port and one store for the whole test, stopped with kill -9 (nats_lib.sh).
hub_port

# The Pushgateway the main configuration pushes to (every second), persisting nothing.
PG_PORT=$(free_port)
prometheus-pushgateway --web.listen-address="127.0.0.1:$PG_PORT" > "$WORK/pushgateway.log" 2>&1 &
PIDS+=($!)
wait_port "$PG_PORT" 10 || { cat "$WORK/pushgateway.log"; echo "FAIL: the Pushgateway did not start"; exit 1; }

# config NAME SPOOL_DIR MAX_BYTES: $WORK/NAME.yaml.
config() {
    cat > "$WORK/$1.yaml" <<YAML
metrics:
  pushgateway: {url: "http://127.0.0.1:$PG_PORT", interval_seconds: 1, instance: hub-test-$1}
rules: {paths: [$SOURCE/tests/nats/rules], mapping: flat, cache_dir: $WORK/cache}
engine: {threads: 1}
alerts:
  format: jsonl
  outputs:
    - {name: archive, type: file, path: $WORK/alerts.ndjson}
    - {name: hub, type: nats, url: $HUB_URL, subject_prefix: alerts, ack_timeout_ms: 2000}
  suppression: {window_seconds: 0, fields: []}
spool: {directory: $2, max_bytes: $3}
agencies:
  - id: demo
    token_sha256: $(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)
    rate_limit: {events_per_second: 1000000, burst: 1000000}
log: {level: info}
YAML
}

# start_vigie CONFIG_NAME: sets VIGIE_PID, HTTP and METRICS (read from the "serving" line).
STARTS=0
start_vigie() {
    STARTS=$((STARTS + 1))
    LOG=$WORK/vigie-$STARTS.log
    start_vigie_serve "$LOG" "$VIGIE" --config "$WORK/$1.yaml" --http-listen 127.0.0.1:0 \
        --metrics-listen 127.0.0.1:0 > /dev/null || exit 1
    VIGIE_PID=$SERVE_PID HTTP=$SERVE_HTTP METRICS=$SERVE_METRICS
}
stop_vigie() {  # SIGTERM: exit status in STATUS
    kill -TERM "$VIGIE_PID"
    wait "$VIGIE_PID"
    STATUS=$?
}
kill_vigie() { kill -9 "$VIGIE_PID" 2> /dev/null; wait "$VIGIE_PID" 2> /dev/null; }

# post FROM TO: one POST of events FROM..TO; the status code in CODE, headers in
# $WORK/headers.
post() {
    awk -v a="$1" -v b="$2" 'BEGIN {for (i = a; i <= b; i++)
        printf "{\"seq\":%d,\"host\":\"ws-%02d\",\"@timestamp\":\"2026-01-01T00:00:00Z\",\"message\":\"hub forward test event %d\"}\n", i, i % 20, i}' \
        > "$WORK/body.ndjson"
    CODE=$(curl -s -o "$WORK/answer" -D "$WORK/headers" -w '%{http_code}' -X POST \
        -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/x-ndjson' \
        --data-binary "@$WORK/body.ndjson" "http://127.0.0.1:$HTTP/v1/events")
}
# post_range FROM TO: POSTs of BATCH events; counts the ones not answered 200 in REFUSED.
post_range() {
    REFUSED=0
    local from
    for ((from = $1; from <= $2; from += BATCH)); do
        post "$from" $((from + BATCH - 1 < $2 ? from + BATCH - 1 : $2))
        [ "$CODE" = 200 ] || { REFUSED=$((REFUSED + 1)); echo "  POST $from..: $CODE $(cat "$WORK/answer")"; }
    done
}

# metric NAME [LABEL_MATCH]: the value of the first line of NAME (with LABEL_MATCH), or "".
metric() {
    curl -s "http://127.0.0.1:$METRICS/metrics" > "$WORK/metrics.txt" || true
    grep -E "^$1(\{[^}]*${2:-}[^}]*\})? " "$WORK/metrics.txt" | head -1 | awk '{printf "%.0f", $2}'
}
# metric_until NAME LABEL_MATCH OP VALUE: waits (vigie refreshes its figures about once a
# second) until the metric satisfies `test METRIC OP VALUE`, at most 10 s; false if never.
# The metric's value in METRIC.
metric_is() { METRIC=$(metric "$1" "$2"); [ -n "$METRIC" ] && [ "$METRIC" "$3" "$4" ]; }
metric_until() {
    wait_until 10 metric_is "$@" && return 0
    echo "  $1{$2} = ${METRIC:-absent}, expected $3 $4"
    return 1
}
spool_metrics() { grep -E '^vigie_(spool|output)' "$WORK/metrics.txt" | sed 's/^/    /'; }

# hub SEQS [TIMEOUT]: waits for SEQS alerts in the hub stream, reads them all: HUB (JSON).
hub() {
    HUB=$("$TOOL" hub-check --url "$HUB_URL" --stream ALERTS --expect "$1" --timeout "${2:-60}")
    echo "  hub: $HUB"
}
# exactly SEQS WHAT: the hub holds one alert for each of 1..SEQS, nothing more.
exactly() {
    check "$2: $1 messages in the hub" equals "$(json_field "$HUB" messages)" "$1"
    check "$2: distinct ids == messages" equals "$(json_field "$HUB" distinct_ids)" "$1"
    check "$2: no seq twice" equals "$(json_field "$HUB" duplicate_seqs)" 0
    check "$2: no seq missing" equals "$(json_field "$HUB" missing_seqs)" 0
    check "$2: Nats-Msg-Id == alert uid" equals "$(json_field "$HUB" id_mismatch)" 0
}

start_hub
"$TOOL" hub-stream --url "$HUB_URL" --stream ALERTS --subjects 'alerts.>' --duplicate-window 600 ||
    { echo "FAIL: hub stream"; exit 1; }
config main "$WORK/spool" 67108864
start_vigie main

echo "== 1. normal forwarding"
N=1000
t0=$(now)
post_range 1 "$N"
check "1: every POST accepted" equals "$REFUSED" 0
hub "$N"
echo "  $N alerts in the hub $(since "$t0") s after the first POST"
exactly "$N" 1
check "1: delivered counted (metrics)" metric_until vigie_output_delivered_total 'output="hub"' -ge "$N"

echo "== 2. hub down for a while, events still accepted"
stop_hub
t0=$(now)
post_range $((N + 1)) $((N + 1000))
N=$((N + 1000))
check "2: every POST accepted with the hub down" equals "$REFUSED" 0
# The event: the 1000 alerts accepted with the hub down counted as pending in the spool.
check "2: alerts pending in the spool (metrics)" \
    metric_until vigie_spool_pending_alerts 'output="hub"' -ge 1000
[ -n "${METRIC:-}" ] || spool_metrics
oldest=$(metric vigie_spool_oldest_unforwarded_seconds 'output="hub"')
spool_bytes=$(metric vigie_spool_bytes)
echo "  hub down $(since "$t0") s: pending ${METRIC:-?} alerts, spool ${spool_bytes:-?} bytes, oldest ${oldest:-?} s"
check "2: spool bytes (metrics)" test "${spool_bytes:-0}" -gt 0
t0=$(now)
start_hub
hub "$N"
echo "  caught up $(since "$t0") s after the hub restarted"
exactly "$N" 2
check "2: nothing pending after the catch-up (metrics)" metric_until vigie_spool_pending_alerts 'output="hub"' -eq 0

echo "== 3a. kill -9 of vigie with alerts in the spool (hub down)"
stop_hub
post_range $((N + 1)) $((N + 1000))
N=$((N + 1000))
check "3a: every POST accepted" equals "$REFUSED" 0
kill_vigie
start_hub
start_vigie main
t0=$(now)
hub "$N"
echo "  caught up $(since "$t0") s after the restart"
exactly "$N" 3a

echo "== 3b. kill -9 of vigie while it forwards a backlog; it sends again what the hub has"
# The hub output's cursor before the backlog: put back after the kill, it is the cursor of
# a vigie killed after the hub stored alerts and before it committed their delivery, so the
# restarted vigie must send them again, and the hub keep each once (duplicate window).
cursor_file="$WORK/spool/hub.cursor"
wait_until 10 test -s "$cursor_file" || echo "  no cursor file $cursor_file"
cp "$cursor_file" "$WORK/cursor-before-3b"
stop_hub
post_range $((N + 1)) $((N + 4000))
check "3b: every POST accepted" equals "$REFUSED" 0
start_hub
before=$N
N=$((N + 4000))
in_hub_count() {
    in_hub=$("$TOOL" subject-count --url "$HUB_URL" --stream ALERTS --subject 'alerts.>' 2> /dev/null || echo "$before")
    [ "$in_hub" -gt "$before" ]
}
check "3b: part of the backlog in the hub before the kill" wait_until 60 in_hub_count
kill_vigie
echo "  killed vigie with $((in_hub - before)) of 4000 backlog alerts in the hub"
cp "$WORK/cursor-before-3b" "$cursor_file"
# Every alert the restarted vigie publishes to the hub, stored or dropped as a duplicate:
# a plain subscriber sees them all; a marker published after the catch-up ends its count.
python3 "$SOURCE/tests/nats/nats_probe.py" listen --server "127.0.0.1:$HUB_PORT" \
    --subjects 'alerts.>' --marker probe.done --timeout 120 > "$WORK/resend.out" 2>&1 &
LISTENER=$!
PIDS+=("$LISTENER")
wait_until 10 log_has "$WORK/resend.out" '"ready": true' || echo "  the listener is not ready"
start_vigie main
t0=$(now)
hub "$N"
echo "  caught up $(since "$t0") s after the restart"
exactly "$N" 3b
python3 "$SOURCE/tests/nats/nats_probe.py" publish --server "127.0.0.1:$HUB_PORT" \
    --subject probe.done --no-reply > /dev/null
wait "$LISTENER"
sent_again=$(tail -n 1 "$WORK/resend.out" | sed -nE 's/.*"alerts\.>": ([0-9]+).*/\1/p')
echo "  the restarted vigie published ${sent_again:-?} alerts to the hub; the stream holds $N"
check "3b: the restarted vigie sent the alerts the hub already had again" \
    test "${sent_again:-0}" -ge 4000
stop_vigie
check "3: exit 0 after SIGTERM" equals "$STATUS" 0

echo "== 4. spool full (max_bytes 1 MiB) with the hub down"
config small "$WORK/spool-small" 1048576
start_vigie small
stop_hub
first_refused=""
t0=$(now)
for ((from = N + 1; from <= N + 20000; from += BATCH)); do
    post "$from" $((from + BATCH - 1))
    [ "$CODE" = 200 ] || { first_refused=$from; break; }
done
accepted_before=$(( ${first_refused:-$((N + 20001))} - N - 1 ))
echo "  $accepted_before events accepted, then $CODE after $(since "$t0") s: $(cat "$WORK/answer")"
check "4: a POST refused with 503" equals "$CODE" 503
check "4: Retry-After on the 503" grep -qi '^retry-after:' "$WORK/headers"
check "4: the log says the spool is full" grep -qi 'spool[^"]*full' "$LOG"
check "4: refusals counted (metrics)" metric_until vigie_spool_full_refusals_total '' -ge 1
echo "  spool $(metric vigie_spool_bytes) bytes, vigie_spool_full $(metric vigie_spool_full)"
check "4: spool bytes under max_bytes" test "$(metric vigie_spool_bytes)" -le 1048576
start_hub
t0=$(now)
# The refused POST and the rest of the range, each sent again until accepted.
last=$((N + accepted_before + 2 * BATCH))
for ((from = N + accepted_before + 1; from <= last; from += BATCH)); do
    for try in $(seq 120); do
        post "$from" $((from + BATCH - 1))
        [ "$CODE" = 200 ] && break
        # The 503's Retry-After: the pace vigie asks of a client, not a synchronisation.
        sleep "$(sed -nE 's/^[Rr]etry-[Aa]fter: *([0-9]+).*/\1/p' "$WORK/headers" | head -1 | grep . || echo 1)"
    done
    check "4: POST $from.. accepted once the hub is back" equals "$CODE" 200
done
echo "  refused POSTs accepted again $(since "$t0") s after the hub restarted"
N=$last
hub "$N"
exactly "$N" 4
stop_vigie
check "4: exit 0 after SIGTERM" equals "$STATUS" 0

echo "== 5. the file output's alerts against docs/alert.schema.json"
lines=$(wc -l < "$WORK/alerts.ndjson")
seqs=$(sed -nE 's/.*"event":\{"seq":([0-9]+).*/\1/p' "$WORK/alerts.ndjson" | sort -un | wc -l)
echo "  file output: $lines alerts, $seqs distinct seqs (of $N)"
check "5: the file output holds every seq" equals "$seqs" "$N"
check "5: alerts validate" python3 "$SOURCE/tests/alerts/validate_alerts.py" \
    "$SOURCE/docs/alert.schema.json" "$WORK/alerts.ndjson" --min "$N"

echo "== 6. promtool on vigie's /metrics, the Pushgateway's copy"
start_vigie main
curl -s "http://127.0.0.1:$METRICS/metrics" > "$WORK/metrics.txt"
check "6: promtool check metrics accepts /metrics" promtool check metrics < "$WORK/metrics.txt"
check "6: promtool has nothing to say" equals "$(promtool check metrics < "$WORK/metrics.txt" 2>&1)" ""
stop_vigie
# The "small" run's final push: every event it accepted, under agency and instance.
pushed=$(curl -s "http://127.0.0.1:$PG_PORT/metrics" |
    grep '^vigie_events_received_total{' | grep 'instance="hub-test-small"' | grep 'input="http"' |
    grep 'exported_agency="demo"' | awk '{printf "%.0f", $2}')
echo "  Pushgateway: vigie_events_received_total of the small run = ${pushed:-absent}"
check "6: the Pushgateway holds the small run's events received" test "${pushed:-0}" -ge "$((N - 7000))"
check "6: the Pushgateway holds the spool figures" \
    bash -c "curl -s http://127.0.0.1:$PG_PORT/metrics | grep -q '^vigie_spool_full_refusals_total{.*instance=\"hub-test-small\"'"

[ -n "${KEEP_LOGS:-}" ] && mkdir -p "$KEEP_LOGS" && cp "$WORK"/*.log "$WORK"/*.yaml "$WORK/metrics.txt" "$KEEP_LOGS"/
if [ "$failures" -gt 0 ]; then
    for f in "$WORK"/vigie-*.log; do echo "--- $f (last lines)"; tail -n 15 "$f"; done
fi
echo "$pass checks passed, $failures failed"
[ "$failures" -eq 0 ] && echo PASS
[ "$failures" -eq 0 ]
