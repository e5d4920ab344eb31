#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Issue 18 item 5, with a real `vigie serve`: one alert the hub refuses must not block the
# others. The hub (a nats-server with users) lets vigie's user "forwarder" publish on
# alerts.demo only; vigie serves two agencies, demo and other, and forwards every alert to
# the hub. The alerts of agency other are refused by the hub (publish permissions): each
# goes to <spool>/dead-letters/hub.jsonl, counted in vigie_output_dead_letters_total,
# and every alert of agency demo, including those after the refused ones, reaches the hub.
# Usage: item05_refused_alert_serve_test.sh VIGIE VIGIE_NATS_TOOL SOURCE_DIR
set -u
VIGIE=$1 TOOL=$2 SOURCE=$3
. "$SOURCE/tests/nats/nats_lib.sh"
. "$SOURCE/tests/support/check_lib.sh"
test_setup

HUB_PORT=$(free_port)
{
    echo "listen: 127.0.0.1:$HUB_PORT"
    sed "s|\$STORE|$WORK/hub-store|" "$SOURCE/tests/outputs/permissions_hub.conf"
} > "$WORK/hub.conf"
nats-server -c "$WORK/hub.conf" > "$WORK/hub.log" 2>&1 &
PIDS+=($!)
wait_port "$HUB_PORT" 10 || { cat "$WORK/hub.log"; echo "FAIL: the hub did not start"; exit 1; }
ADMIN=(--url "nats://127.0.0.1:$HUB_PORT" --user admin --password admin-pw)
"$TOOL" hub-stream "${ADMIN[@]}" --stream ALERTS --subjects 'alerts.>' --duplicate-window 600 ||
    { echo "FAIL: hub stream"; exit 1; }

sha() { printf %s "$1" | sha256sum | cut -d' ' -f1; }
cat > "$WORK/vigie.yaml" <<YAML
rules: {paths: [$SOURCE/tests/nats/rules], mapping: flat, cache_dir: $WORK/cache}
engine: {threads: 1}
alerts:
  format: jsonl
  outputs:
    - name: hub
      type: nats
      url: nats://forwarder:forwarder-pw@127.0.0.1:$HUB_PORT
      inbox_prefix: _INBOX_fwd
      batch: 64
      ack_timeout_ms: 5000
  suppression: {window_seconds: 0, fields: []}
spool: {directory: $WORK/spool}
agencies:
  - {id: demo, token_sha256: $(sha demo-token), rate_limit: {events_per_second: 1000000, burst: 1000000}}
  - {id: other, token_sha256: $(sha other-token), rate_limit: {events_per_second: 1000000, burst: 1000000}}
log: {level: info}
YAML

LOG=$WORK/vigie.log
start_vigie_serve "$LOG" "$VIGIE" --config "$WORK/vigie.yaml" --http-listen 127.0.0.1:0 \
    --metrics-listen 127.0.0.1:0 > /dev/null || exit 1
VIGIE_PID=$SERVE_PID HTTP=$SERVE_HTTP METRICS=$SERVE_METRICS

# post TOKEN FROM TO: events FROM..TO ({"seq":N}), one POST.
post() {
    awk -v a="$2" -v b="$3" 'BEGIN {for (i = a; i <= b; i++)
        printf "{\"seq\":%d,\"@timestamp\":\"2026-01-01T00:00:00Z\",\"message\":\"item 5 event %d\"}\n", i, i}' \
        > "$WORK/body.ndjson"
    local code
    code=$(curl -s -o "$WORK/answer" -w '%{http_code}' -X POST -H "Authorization: Bearer $1" \
        -H 'Content-Type: application/x-ndjson' --data-binary "@$WORK/body.ndjson" \
        "http://127.0.0.1:$HTTP/v1/events")
    [ "$code" = 200 ] || { echo "FAIL: POST $2..$3: $code $(cat "$WORK/answer")"; exit 1; }
}
metric() {  # NAME LABEL_MATCH: the value, or ""
    curl -s "http://127.0.0.1:$METRICS/metrics" |
        grep -E "^$1\{[^}]*$2[^}]*\} " | head -1 | awk '{printf "%.0f", $2}'
}
metric_is() {  # NAME LABEL_MATCH VALUE
    METRIC=$(metric "$1" "$2")
    [ "$METRIC" = "$3" ]
}
metric_until() {  # NAME LABEL_MATCH VALUE: waits (figures refresh about once a second), 30 s
    wait_until 30 metric_is "$@" && return 0
    echo "  $1{$2} = ${METRIC:-absent}, expected $3"
    return 1
}

# Agency other's events (seq 100001..) come between demo's: each of other's alerts is in a
# batch with alerts of demo before and after it.
N=1000
for from in 1 201 401 601 801; do
    post demo-token "$from" $((from + 199))
    post other-token $((100000 + from)) $((100000 + from))
done
HUB=$("$TOOL" hub-check "${ADMIN[@]}" --stream ALERTS --expect "$N" --timeout 60)
echo "  hub: $HUB"
check "every alert of demo in the hub once" equals "$(json_field "$HUB" messages)" "$N"
check "no alert of demo missing" equals "$(json_field "$HUB" missing_seqs)" 0
check "no alert twice" equals "$(json_field "$HUB" duplicate_seqs)" 0
check "5 alerts dead-lettered (metrics)" metric_until vigie_output_dead_letters_total 'output="hub"' 5
check "1000 alerts delivered (metrics)" metric_until vigie_output_delivered_total 'output="hub"' "$N"
DEAD=$WORK/spool/dead-letters/hub.jsonl
check "5 lines in the dead-letter file" equals "$(wc -l < "$DEAD" 2> /dev/null)" 5
check "only agency other dead-lettered" equals "$(grep -c '"agency":"other"' "$DEAD")" 5
check "the reason names the refused subject" \
    has "$DEAD" 'Permissions Violation for Publish to \"alerts.other\"'
check "no password in the dead letters" test "$(grep -c forwarder-pw "$DEAD")" = 0
check "the log says dead-lettered" has "$LOG" 'dead-lettered'
grep -m1 'dead-lettered' "$LOG" | cut -c1-400
kill -TERM "$VIGIE_PID"
wait "$VIGIE_PID"
check "vigie serve exits 0" equals "$?" 0

echo "$pass checks passed, $failures failed"
[ "$failures" = 0 ] && echo PASS
exit $((failures > 0))
