#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Hardening item 3: one oversized alert must not stall a forwarding output. A real
# `vigie serve` with four outputs: a file (archive), a nats-server hub with the default
# max_payload (1 MiB), a second hub whose max_payload is 128 KiB, and a webhook receiver
# (tests/outputs/webhook_receiver.py) that answers 413 to any body over 100 kB. Events
# 1-3, then a 600 KB event (4), then 5-7, each POSTed alone:
#  - the alert of event 4 is cut under alerts.max_alert_bytes (256 KiB by default), marked
#    (event_truncated with the original size) and valid against docs/alert.schema.json;
#    the 1 MiB hub takes it;
#  - the small hub (over max_payload) and the webhook (413) refuse it for good: it is in
#    <spool>/dead-letters/<output>.jsonl with the reason, counted in
#    vigie_output_dead_letters_total{output}, and the later alerts (5-7) are delivered;
#  - vigie still serves afterwards.
# Usage: item03_oversized_alert.sh VIGIE VIGIE_NATS_TOOL SOURCE_DIR
set -euo pipefail
VIGIE=$1 TOOL=$2 SOURCE=$3
. "$SOURCE/tests/nats/nats_lib.sh"
. "$SOURCE/tests/support/check_lib.sh"
test_setup
TOKEN=item03-test-token
export VIGIE_ITEM03_SECRET=item03-secret

# hub NAME [MAX_PAYLOAD]: a JetStream nats-server with an ALERTS stream; sets HUB_URL.
hub() {
    local port
    port=$(free_port)
    cat > "$WORK/$1.conf" <<CONF
listen: 127.0.0.1:$port
jetstream { store_dir: "$WORK/$1-store" }
${2:+max_payload: $2}
CONF
    nats-server -c "$WORK/$1.conf" > "$WORK/$1.log" 2>&1 &
    PIDS+=($!)
    wait_port "$port" 10 || { cat "$WORK/$1.log"; echo "FAIL: hub $1 did not start"; exit 1; }
    HUB_URL="nats://127.0.0.1:$port"
    "$TOOL" hub-stream --url "$HUB_URL" > /dev/null
}
hub big; BIG=$HUB_URL
hub small 131072; SMALL=$HUB_URL

python3 "$SOURCE/tests/outputs/webhook_receiver.py" --port-file "$WORK/hook.port" \
    --log "$WORK/hook.log" --secret "$VIGIE_ITEM03_SECRET" --max-body 100000 &
PIDS+=($!)
wait_until 10 test -s "$WORK/hook.port" || { echo "FAIL: the webhook receiver did not start"; exit 1; }

cat > "$WORK/vigie.yaml" <<YAML
rules: {paths: [$SOURCE/tests/nats/rules], mapping: flat, cache_dir: $WORK/cache}
engine: {threads: 1}
alerts:
  outputs:
    - {name: archive, type: file, path: $WORK/archive.ndjson}
    - {name: hub, type: nats, url: "$BIG", ack_timeout_ms: 2000}
    - {name: smallhub, type: nats, url: "$SMALL", ack_timeout_ms: 2000}
    - {name: hook, type: webhook, url: "http://127.0.0.1:$(cat "$WORK/hook.port")/alerts",
       secret_env: VIGIE_ITEM03_SECRET, retry_initial_ms: 50, retry_max_ms: 500}
spool: {directory: $WORK/spool}
agencies:
  - id: demo
    token_sha256: $(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)
log: {level: info}
YAML
start_vigie_serve "$WORK/vigie.log" "$VIGIE" --config "$WORK/vigie.yaml" --http-listen 127.0.0.1:0 \
    --metrics-listen 127.0.0.1:0 > /dev/null || exit 1
VIGIE_PID=$SERVE_PID HTTP=$SERVE_HTTP METRICS=$SERVE_METRICS

post() {  # FILE: the status code
    curl -s -o "$WORK/answer" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
        -H 'Content-Type: application/x-ndjson' --data-binary "@$1" "http://127.0.0.1:$HTTP/v1/events"
}
metric() {  # NAME LABELS: its value, or empty
    curl -s "http://127.0.0.1:$METRICS/metrics" | grep -F "$1{$2} " | awk '{printf "%.0f", $2}'
}
metric_is() { [ "$(metric "$1" "$2")" = "$3" ]; }
wait_metric() {  # NAME LABELS VALUE: waits 60 s at most
    wait_until 60 metric_is "$@" && return 0
    echo "FAIL: $1{$2} is $(metric "$1" "$2"), never $3"; tail -n 20 "$WORK/vigie.log"; exit 1
}

for seq in 1 2 3 4 5 6 7; do
    if [ "$seq" = 4 ]; then
        python3 -c 'import json; print(json.dumps({"seq": 4, "pad": "y" * 600000}))' > "$WORK/event.ndjson"
    else
        printf '{"seq":%d,"message":"small event"}\n' "$seq" > "$WORK/event.ndjson"
    fi
    code=$(post "$WORK/event.ndjson")
    [ "$code" = 200 ] || { echo "FAIL: event $seq answered $code: $(cat "$WORK/answer")"; exit 1; }
done
echo "7 events accepted (the 4th of 600 KB)"

echo "== the alert is cut under the bound, marked, valid"
wait_metric vigie_output_delivered_total 'output="archive"' 7
big_alert=$(sed -n 4p "$WORK/archive.ndjson")
size=${#big_alert}
echo "alert of the 600 KB event: $size bytes"
[ "$size" -le 262144 ] || { echo "FAIL: the alert is over 256 KiB"; exit 1; }
grep -q '"event_truncated":{"original_bytes":6000' <<< "$big_alert" ||
    { echo "FAIL: the alert is not marked with the original size"; exit 1; }
python3 "$SOURCE/tests/alerts/validate_alerts.py" "$SOURCE/docs/alert.schema.json" \
    "$WORK/archive.ndjson" --min 7 || { echo "FAIL: schema"; exit 1; }
uid4=$(sed -E 's/.*"uid":"([0-9a-f]{32})".*/\1/' <<< "$big_alert")

echo "== the 1 MiB hub takes all 7, the cut one included"
wait_metric vigie_output_delivered_total 'output="hub"' 7
[ "$(metric vigie_output_dead_letters_total 'output="hub"')" = 0 ] || { echo "FAIL: hub dead letters"; exit 1; }
hubcheck=$("$TOOL" hub-check --url "$BIG" --timeout 30 --expect 7 || true)
echo "hub: $hubcheck"
[ "$(json_field "$hubcheck" messages)" = 7 ] && [ "$(json_field "$hubcheck" distinct_ids)" = 7 ] ||
    { echo "FAIL: the hub does not hold the 7 alerts"; exit 1; }

echo "== refused for good: dead-lettered with the reason, counted, the later alerts delivered"
for output in smallhub hook; do
    wait_metric vigie_output_dead_letters_total "output=\"$output\"" 1
    wait_metric vigie_output_delivered_total "output=\"$output\"" 6
    dead=$WORK/spool/dead-letters/$output.jsonl
    [ "$(wc -l < "$dead")" = 1 ] || { echo "FAIL: $output: not one dead letter"; exit 1; }
    grep -q "\"uid\":\"$uid4\"" "$dead" || { echo "FAIL: $output: not the 600 KB event's alert"; exit 1; }
    echo "$output: $(head -c 300 "$dead" | sed -E 's/,"alert":.*//')"
done
grep -q '"reason":"smallhub: [^"]*greater than maximum allowed: 131072' "$WORK/spool/dead-letters/smallhub.jsonl" ||
    { echo "FAIL: smallhub: the reason is not the max_payload"; exit 1; }
grep -q '"reason":"hook: POST [^"]*HTTP 413' "$WORK/spool/dead-letters/hook.jsonl" ||
    { echo "FAIL: hook: the reason is not the 413"; exit 1; }
# The webhook got 1..7 but 4, answered 200; alerts 5-7 came after the refused one.
delivered=$(python3 - "$WORK/hook.log" "$uid4" <<'PY'
import json, sys
uids = [u for line in open(sys.argv[1]) for r in [json.loads(line)] if r["answer"] == "200" for u in r["uids"]]
assert sys.argv[2] not in uids, "the refused alert was delivered"
print(len(set(uids)))
PY
)
[ "$delivered" = 6 ] || { echo "FAIL: the webhook acknowledged $delivered distinct alerts, not 6"; exit 1; }
small=$("$TOOL" hub-check --url "$SMALL" --timeout 30 --expect 6 || true)
[ "$(json_field "$small" messages)" = 6 ] || { echo "FAIL: the small hub: $small"; exit 1; }
grep -q '"msg":"alert refused for good; dead-lettered"' "$WORK/vigie.log" || { echo "FAIL: not logged"; exit 1; }

echo "== still serving"
printf '{"seq":8,"message":"after"}\n' > "$WORK/event.ndjson"
[ "$(post "$WORK/event.ndjson")" = 200 ] || { echo "FAIL: not serving after"; exit 1; }
wait_metric vigie_output_delivered_total 'output="hook"' 7
kill -TERM "$VIGIE_PID"
wait "$VIGIE_PID" || { echo "FAIL: vigie serve did not stop cleanly"; exit 1; }
echo "PASS"
