#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# The hardening issue's service items replayed, as an attacker would, against ONE running
# deployment on loopback: a real `vigie serve` (HTTP ingest, TAXII, NATS JetStream input,
# alerts forwarded to a NATS hub and to a webhook through the spool), two real nats-servers
# (the agencies' input, the national hub) and a webhook receiver. Each item checks the
# expected outcome, and the server must still be serving afterwards: health, an agency's
# POST and its alerts on every output, a NATS message, a metrics scrape.
#   1  deep JSON nesting (HTTP gzip body, NATS message, vigie scan): that line rejected
#   2  a poison NATS message (its worker killed while holding it): dead-lettered after
#      max_deliver deliveries, the next messages processed
#   3  a 600 KB event (1.2 MB alert): cut under the alert bound and delivered to the hub; a
#      webhook that refuses it for good (413): dead-lettered, counted, later alerts delivered
#   6  unauthenticated uploads: 401 on the headers, no 100-continue, memory not taken
#   7  half-open, idle and keep-alive connections: an agency's POST still goes through;
#      idle connections to the metrics listener: a scrape still goes through
#   8  heavy TAXII POSTs: /healthz answers while they are being processed
#  12  a request whose alerts alone exceed the spool: 413 with the reason, not 503 forever
# Usage: service_replay.sh VIGIE VIGIE_NATS_TOOL SOURCE_DIR
set -u
VIGIE=$1 TOOL=$2 SOURCE=$3
. "$SOURCE/tests/nats/nats_lib.sh"
. "$SOURCE/tests/support/check_lib.sh"
test_setup
TOKEN=replay-agency-token
PEER_TOKEN=replay-peer-token
COLLECTION=91a7b528-80eb-42ed-a74d-c6fbd5a26116
digest() { printf %s "$1" | sha256sum | cut -d' ' -f1; }
HERE=$SOURCE/tests/hardening
MAX_DELIVER=3

# until_true SECONDS COMMAND...: check_lib's wait_until, COMMAND's output silenced.
quietly() { "$@" > /dev/null 2>&1; }
until_true() { local seconds=$1; shift; wait_until "$seconds" quietly "$@"; }

# grown FUNCTION VALUE: FUNCTION's answer is now above VALUE (for until_true, which runs
# its command again at each poll: "$(f)" in its arguments would be read once).
grown() { test "$("$1")" -gt "$2"; }

# Every publish names its first message id (--start): the stream drops a repeated id
# within its duplicate window.

# --- the deployment: input and hub nats-servers, the webhook receiver, vigie serve
start_nats
hub_port
start_hub
"$TOOL" hub-stream --url "$HUB_URL" --stream ALERTS --subjects 'alerts.>' --duplicate-window 600 ||
    { echo "FAIL: hub stream"; exit 1; }
# The webhook refuses bodies over 256 KiB for good (413), as a proxy in front of it would.
python3 "$SOURCE/tests/outputs/webhook_receiver.py" --port-file "$WORK/hook.port" \
    --log "$WORK/hook.log" --secret s3cret --max-body 262144 &
PIDS+=($!)
until_true 10 test -s "$WORK/hook.port" || { echo "FAIL: webhook receiver"; exit 1; }
HOOK_PORT=$(cat "$WORK/hook.port")

cat > "$WORK/vigie.yaml" <<YAML
http: {max_connections: 8, read_timeout_seconds: 30}
rules: {paths: [$SOURCE/tests/nats/rules], mapping: flat, cache_dir: $WORK/cache}
engine: {threads: 2}
alerts:
  outputs:
    - {name: archive, type: file, path: $WORK/alerts.ndjson}
    - {name: hub, type: nats, url: $HUB_URL, subject_prefix: alerts, ack_timeout_ms: 2000}
    - {name: hook, type: webhook, url: "http://127.0.0.1:$HOOK_PORT/hook", secret_env: HOOK_SECRET,
       retry_initial_ms: 100, retry_max_ms: 500}
  suppression: {window_seconds: 0, fields: []}
spool: {directory: $WORK/spool}
nats:
  enabled: true
  url: $NATS_URL
  ack_wait_seconds: 2
  max_deliver: $MAX_DELIVER
indicators: {enabled: true, store: $WORK/indicators.sqlite}
taxii:
  enabled: true
  store: $WORK/taxii.sqlite
  api_roots: [{path: api1, title: Replay}]
  collections: [{id: $COLLECTION, title: Indicators}]
  peers:
    - id: peer
      token_sha256: $(digest "$PEER_TOKEN")
      collections: [{id: $COLLECTION, read: true, write: true}]
agencies:
  - id: demo
    token_sha256: $(digest "$TOKEN")
    rate_limit: {events_per_second: 1000000, burst: 1000000}
log: {level: info}
YAML

STARTS=0
start_vigie() {  # sets VIGIE_PID, HTTP, METRICS, LOG
    STARTS=$((STARTS + 1))
    LOG=$WORK/vigie-$STARTS.log
    HOOK_SECRET=s3cret start_vigie_serve "$LOG" "$VIGIE" --config "$WORK/vigie.yaml" \
        --http-listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0 > /dev/null || exit 1
    VIGIE_PID=$SERVE_PID HTTP=$SERVE_HTTP METRICS=$SERVE_METRICS
}

# post FILE [curl options]: CODE, the answer in $WORK/answer.
post() {
    local file=$1; shift
    CODE=$(curl -s -o "$WORK/answer" -w '%{http_code}' --max-time 60 -X POST \
        -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/x-ndjson' \
        --data-binary "@$file" "$@" "http://127.0.0.1:$HTTP/v1/events")
}
archived() { [ -f "$WORK/alerts.ndjson" ] && wc -l < "$WORK/alerts.ndjson" || echo 0; }
metric() {  # NAME [LABEL_MATCH]: the sum of its series (0 when absent)
    curl -s --max-time 10 "http://127.0.0.1:$METRICS/metrics" |
        grep -E "^$1(\{[^}]*${2:-}[^}]*\})? " | awk '{s += $2} END {printf "%.0f", s}'
}
dead_letters() { "$TOOL" subject-count --url "$NATS_URL" --stream EVENTS --subject events.dead 2> /dev/null || echo 0; }
hook_uid_count() {  # uids the webhook took (answered 200)
    python3 - "$WORK/hook.log" << 'PY'
import json, os, sys
uids = set()
for line in open(sys.argv[1]) if os.path.exists(sys.argv[1]) else []:
    r = json.loads(line)
    if r["answer"] == "200":
        uids.update(r["uids"])
print(len(uids))
PY
}
hook_dead_letters() { metric vigie_output_dead_letters_total 'output="hook"'; }
hub_count() { "$TOOL" subject-count --url "$HUB_URL" --stream ALERTS --subject alerts.demo 2> /dev/null || echo 0; }

# still_serving WHAT SEQ: health, a POST of event SEQ whose alert reaches the archive, the
# hub and the webhook, a NATS message, a scrape.
still_serving() {
    local what=$1 seq=$2 before hub_before hook_before
    check "$what: the process is alive" kill -0 "$VIGIE_PID"
    check "$what: healthz" equals "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$HTTP/healthz")" 200
    printf '{"seq":%d,"after":"%s"}\n' "$seq" "$what" > "$WORK/one.ndjson"
    before=$(archived) hub_before=$(hub_count) hook_before=$(hook_uid_count)
    post "$WORK/one.ndjson"
    check "$what: an agency's POST is accepted" equals "$CODE" 200
    check "$what: its alert is archived" until_true 20 grown archived "$before"
    check "$what: its alert reaches the hub" until_true 30 grown hub_count "$hub_before"
    check "$what: its alert reaches the webhook" until_true 30 grown hook_uid_count "$hook_before"
    printf '{"seq":%d,"via":"nats"}\n' $((seq + 1)) > "$WORK/nats-one.ndjson"
    before=$(archived)
    "$TOOL" publish --url "$NATS_URL" --agency demo --file "$WORK/nats-one.ndjson" --raw --sync \
        --start $((seq + 1)) > /dev/null
    check "$what: a NATS message is published" equals "$?" 0
    check "$what: a NATS message is evaluated" until_true 30 grown archived "$before"
    check "$what: metrics scrape" equals "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$METRICS/metrics")" 200
}

start_vigie
still_serving "at start" 1000

echo "== item 1: deep JSON nesting"
python3 -c "d=100000;print('{\"a\":'+'['*d+']'*d+'}')" > "$WORK/deep.json"
{ echo '{"seq":1}'; cat "$WORK/deep.json"; echo '{"seq":2}'; } > "$WORK/deep-body.ndjson"
gzip -9c "$WORK/deep-body.ndjson" > "$WORK/deep-body.gz"
post "$WORK/deep-body.gz" -H 'Content-Encoding: gzip'
check "item 1: the gzip body is answered 200" equals "$CODE" 200
check "item 1: the good lines are accepted" grep -q '"accepted":2' "$WORK/answer"
check "item 1: line 2 rejected, nested too deep" grep -qE '"line":2,"error":"[^"]*nested deeper than' "$WORK/answer"
before_dead=$(dead_letters)
"$TOOL" publish --url "$NATS_URL" --agency demo --file "$WORK/deep.json" --raw --sync --start 1005 > /dev/null
check "item 1: the deep NATS message is published" equals "$?" 0
check "item 1: the deep NATS message is dead-lettered" until_true 30 grown dead_letters "$before_dead"
check "item 1: the dead letter names the depth" \
    bash -c "'$TOOL' dead-letters --url '$NATS_URL' --subject events.dead | grep -q 'nested deeper than'"
"$VIGIE" scan --rules "$SOURCE/tests/nats/rules" --mapping flat --no-cache "$WORK/deep-body.ndjson" \
    > "$WORK/scan.out" 2> "$WORK/scan.err"
scan_rc=$?
check "item 1: vigie scan reads past the deep line (exit 0, not a crash)" equals "$scan_rc" 0
check "item 1: vigie scan names the line and the depth" grep -q 'nested deeper than' "$WORK/scan.err"
check "item 1: vigie scan alerts on the good lines" equals "$(grep -c '"rule"' "$WORK/scan.out")" 2
still_serving "after item 1" 1010

echo "== item 2: a poison NATS message, its workers killed while holding it"
# The main worker is paused (SIGSTOP: it holds nothing, it fetches without waiting) while
# extra workers on the same consumer take the message one after another: each one's alert
# output is a FIFO nobody reads, so it holds the message (fetched, never acknowledged)
# until it is killed (kill -9). Once the message has been delivered max_deliver times,
# its next delivery must be dead-lettered, not evaluated, by whichever worker gets it (a
# worker killed right after fetching it may leave that to the spare delivery). (A
# copy the paused worker may have taken before its pause is evaluated when it resumes:
# delivery is at least once.)
FIFO=$WORK/held.fifo
mkfifo "$FIFO"
exec 3<> "$FIFO"  # open, never read: a write of more than the pipe holds blocks forever
python3 -c 'import json; print(json.dumps({"seq": 2000, "pad": "x" * 200000}))' > "$WORK/poison.ndjson"
poison_worker() {  # N: a worker whose alerts go to the FIFO; sets POISON_PID, POISON_METRICS
    POISON_METRICS=$(free_port)
    sed -e "s|^http: .*|http: {listen: \"127.0.0.1:$(free_port)\"}|" \
        -e "/^alerts:/,/^spool:/c\\alerts: {output: $FIFO}\nspool: {directory: $WORK/spool-poison}" \
        -e '/^taxii:/,/^agencies:/{/^agencies:/!d}' -e '/^indicators:/d' \
        "$WORK/vigie.yaml" > "$WORK/poison$1.yaml"
    printf 'metrics: {listen: "127.0.0.1:%s"}\n' "$POISON_METRICS" >> "$WORK/poison$1.yaml"
    start_vigie_serve "$WORK/poison$1.log" "$VIGIE" --config "$WORK/poison$1.yaml" > /dev/null ||
        failures=$((failures + 1))
    POISON_PID=$SERVE_PID
}
fetched() { curl -s "http://127.0.0.1:$POISON_METRICS/metrics" | grep -q '^vigie_nats_messages_total{outcome="fetched"} [1-9]'; }
before_dead=$(dead_letters)
kill -STOP "$VIGIE_PID"
"$TOOL" publish --url "$NATS_URL" --agency demo --file "$WORK/poison.ndjson" --raw --sync --start 2000 > /dev/null
check "item 2: the poison message is published" equals "$?" 0
killed=0
for n in $(seq "$MAX_DELIVER"); do
    poison_worker "$n"
    until_true 30 fetched || { echo "  poison worker $n never got the message"; break; }
    kill -KILL "$POISON_PID"; wait "$POISON_PID" 2> /dev/null
    killed=$((killed + 1))
done
check "item 2: $MAX_DELIVER workers were killed holding the message" equals "$killed" "$MAX_DELIVER"
kill -CONT "$VIGIE_PID"
check "item 2: its next delivery is dead-lettered" until_true 30 grown dead_letters "$before_dead"
check "item 2: the dead letter says why" \
    until_true 10 bash -c "'$TOOL' dead-letters --url '$NATS_URL' --subject events.dead | grep -qE 'delivered [0-9]+ times without being acknowledged \\(nats.max_deliver $MAX_DELIVER\\)'"
still_serving "after item 2" 2010

echo "== item 3: a 600 KB event, a 1.2 MB alert"
python3 -c "print('{\"seq\":3000,\"blob\":\"' + 'A' * 600000 + '\"}')" > "$WORK/big.ndjson"
hub_before=$(hub_count)
post "$WORK/big.ndjson"
check "item 3: the 600 KB event is accepted" equals "$CODE" 200
check "item 3: the hub gets its alert, cut under the bound" until_true 60 grown hub_count "$hub_before"
check "item 3: the refused webhook delivery is dead-lettered" \
    until_true 60 grown hook_dead_letters 0
still_serving "after item 3" 3010

echo "== item 6: unauthenticated uploads"
status=$(python3 "$HERE/hostile_client.py" upload "$HTTP" /v1/events "" 16777216)
check "item 6: no token: 401 on the headers [$status]" grep -q ' 401' <<< "$status"
status=$(python3 "$HERE/hostile_client.py" upload "$HTTP" /v1/events wrong-token 16777216)
check "item 6: a wrong token: 401 on the headers, no 100-continue [$status]" grep -q ' 401' <<< "$status"
status=$(python3 "$HERE/hostile_client.py" upload "$HTTP" /v1/events "$TOKEN" 1000)
check "item 6: a valid token gets 100-continue [$status]" grep -q ' 100' <<< "$status"
rss() { awk '/VmHWM/ {print $2}' "/proc/$VIGIE_PID/status"; }  # the peak
rss_before=$(rss)
head -c 16777216 /dev/zero | tr '\0' 'x' > "$WORK/16m.bin"
UPLOADS=()
for i in $(seq 24); do
    curl -s -o /dev/null --max-time 60 -X POST -H 'Content-Type: application/x-ndjson' \
        --data-binary "@$WORK/16m.bin" "http://127.0.0.1:$HTTP/v1/events" &
    UPLOADS+=($!)
done
wait "${UPLOADS[@]}"  # each curl ends within its --max-time
rss_after=$(rss)
echo "  peak RSS before $rss_before KiB, after 24 unauthenticated 16 MiB uploads $rss_after KiB"
check "item 6: 24 unauthenticated uploads take no body memory" test $((rss_after - rss_before)) -lt 102400
still_serving "after item 6" 6010

echo "== item 7: connection slots"
touch "$WORK/hold"
python3 "$HERE/hostile_client.py" hold "$HTTP" 256 half-open "$WORK/hold" > "$WORK/hold1.out" &
HOLDERS=($!)
check "item 7: 256 half-open sockets opened" until_true 30 grep -q held "$WORK/hold1.out"
python3 "$HERE/hostile_client.py" hold "$HTTP" 8 keepalive "$WORK/hold" > "$WORK/hold2.out" &
HOLDERS+=($!)
check "item 7: 8 keep-alive healthz clients hold their connections" until_true 30 grep -q held "$WORK/hold2.out"
python3 "$HERE/hostile_client.py" hold "$METRICS" 4 idle "$WORK/hold" > "$WORK/hold3.out" &
HOLDERS+=($!)
check "item 7: 4 idle connections to the metrics listener" until_true 30 grep -q held "$WORK/hold3.out"
printf '{"seq":7000}\n' > "$WORK/seven.ndjson"
post "$WORK/seven.ndjson"
check "item 7: an agency's POST goes through meanwhile" equals "$CODE" 200
check "item 7: a scrape goes through meanwhile" equals "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$METRICS/metrics")" 200
rm -f "$WORK/hold"
wait "${HOLDERS[@]}"  # each holder lets go once the file is gone (at most 120 s)
still_serving "after item 7" 7010

echo "== item 8: heavy TAXII POSTs"
python3 - "$WORK/heavy.json" << 'PY'
import json, sys, uuid
objects = []
size = 0
n = 0
while size < 9_500_000:
    n += 1
    o = {"type": "indicator", "spec_version": "2.1", "id": f"indicator--{uuid.uuid4()}",
         "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
         "pattern": f"[domain-name:value = 'heavy-{n}.example']", "pattern_type": "stix",
         "valid_from": "2026-01-01T00:00:00Z", "description": "x" * 200}
    size += len(json.dumps(o))
    objects.append(o)
json.dump({"objects": objects}, open(sys.argv[1], "w"))
PY
taxii_post() {
    curl -s -o "$WORK/taxii-$1.out" -w '%{http_code}' --max-time 300 -X POST \
        -H "Authorization: Bearer $PEER_TOKEN" -H 'Accept: application/taxii+json;version=2.1' \
        -H 'Content-Type: application/taxii+json;version=2.1' --data-binary "@$WORK/heavy.json" \
        "http://127.0.0.1:$HTTP/api1/collections/$COLLECTION/objects/" > "$WORK/taxii-$1.code"
}
# The TAXII store's write lock is held (as a slow disk would) so that both POSTs are
# deterministically in their parse-and-store phase while the rest of the server is tried.
python3 "$SOURCE/tests/support/hold_sqlite_lock.py" "$WORK/taxii.sqlite" "$WORK" 120 &
LOCKER=$!
check "item 8: the TAXII store's write lock is held" until_true 30 test -f "$WORK/locked"
taxii_post 1 & P1=$!
taxii_post 2 & P2=$!
in_progress() { test "$(metric vigie_http_requests_in_progress)" = 2; }
check "item 8: both heavy TAXII POSTs are being handled" until_true 60 in_progress
check "item 8: meanwhile /healthz answers" \
    equals "$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "http://127.0.0.1:$HTTP/healthz")" 200
printf '{"seq":8000}\n' > "$WORK/eight.ndjson"
post "$WORK/eight.ndjson" --max-time 30
check "item 8: meanwhile an agency's POST is accepted" equals "$CODE" 200
check "item 8: and both TAXII POSTs are still in progress" kill -0 "$P1" "$P2"
touch "$WORK/release"
wait "$LOCKER" "$P1" "$P2"
check "item 8: once the store is free, both TAXII POSTs are taken" \
    equals "$(cat "$WORK/taxii-1.code") $(cat "$WORK/taxii-2.code")" "202 202"
still_serving "after item 8" 8010
stop_worker "$VIGIE_PID"

echo "== item 12: a request whose alerts alone exceed the spool"
sed -i "s|^spool: .*|spool: {directory: $WORK/spool12, max_bytes: 1048576}|" "$WORK/vigie.yaml"
start_vigie
python3 -c "
for i in range(3000): print('{\"seq\":%d,\"pad\":\"%s\"}' % (12000 + i, 'p' * 400))" > "$WORK/many.ndjson"
post "$WORK/many.ndjson"
check "item 12: 413, not 503 [$(head -c 200 "$WORK/answer")]" equals "$CODE" 413
check "item 12: the answer says why" grep -qi 'spool' "$WORK/answer"
check "item 12: the log does not say the spool is full" bash -c "! grep -q 'spool full' '$LOG'"
still_serving "after item 12" 12500
stop_worker "$VIGIE_PID"

echo "$pass passed, $failures failed"
[ "$failures" -eq 0 ]
