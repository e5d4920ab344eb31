#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Issue 18 items 1 and 2 on a real 3-node JetStream cluster (nats-server processes on
# loopback, tests/nats/cluster_lib.sh) and real `vigie serve` workers given the server list:
#  item 2: the input creates the events stream with the configured replicas, max age, max
#          bytes and duplicate window; an existing stream that differs is not changed, and
#          both start-up and `vigie config check` say each difference at its key;
#  item 1: a worker started while the first node of its list is down comes up and processes
#          events; its connection fails over to another node when its node dies; with every
#          server down it gives up after connect_retry_seconds with a clear error (exit 1),
#          comes up when the cluster is back within that time, and stops at once on SIGTERM.
# Usage: cluster_startup_test.sh VIGIE VIGIE_NATS_TOOL SOURCE_DIR
set -euo pipefail
VIGIE=$1 TOOL=$2 SOURCE=$3
. "$SOURCE/tests/nats/nats_lib.sh"
. "$SOURCE/tests/nats/cluster_lib.sh"
test_setup
SAMPLE=$SOURCE/samples/windows-sysmon.ndjson
BATCH=2000
PUBLISHED=0

fail() { echo "FAIL: $*"; exit 1; }

wait_log() {  # file pattern seconds: until the file has a line matching the pattern
    local tries=$(( $3 * 20 ))
    until grep -q -- "$2" "$1" 2> /dev/null; do
        tries=$((tries - 1))
        [ "$tries" -le 0 ] && { tail -n 5 "$1"; return 1; }
        sleep 0.05  # poll interval of a bounded wait on the condition checked above, not a synchronisation
    done
}

wait_exit() {  # pid seconds: until the process exits (a hang guard, not a timing); EXIT_CODE
    local tries=$(( $2 * 20 ))
    while kill -0 "$1" 2> /dev/null; do
        tries=$((tries - 1))
        [ "$tries" -le 0 ] && fail "process $1 still running after $2 s"
        sleep 0.05  # poll interval of a bounded wait on the condition checked above, not a synchronisation
    done
    EXIT_CODE=0
    wait "$1" || EXIT_CODE=$?
}

# startup_figures NAME: how long the worker took from its first log line to its NATS input
# being up, and how many start-up retries it logged (figures for the README, not checked).
startup_figures() {
    python3 - "$WORK/$1.log" <<'PY'
import json, sys
from datetime import datetime
first = started = None
retries = 0
for line in open(sys.argv[1]):
    try: record = json.loads(line)
    except ValueError: continue
    ts = datetime.strptime(record["ts"], "%Y-%m-%dT%H:%M:%S.%fZ")
    first = first or ts
    retries += record.get("msg") == "nats not ready at start-up; retrying"
    if record.get("msg") == "nats input started": started = ts
if started:
    print("   up %.1f s after its start, after %d start-up retries" % ((started - first).total_seconds(), retries))
PY
}

# cluster_config NAME URLS [key: value]...: write_config plus nats settings.
cluster_config() {
    local name=$1 urls=$2 setting
    shift 2
    LOG_LEVEL=info write_config "$name" "$urls"
    for setting in "$@"; do sed -i "/^  url: /a\\  $setting" "$WORK/$name.yaml"; done
}

# serve NAME: starts `vigie serve` (no wait); LAST_PID.
serve() {
    launch_vigie_serve "$WORK/$1.log" "$VIGIE" --config "$WORK/$1.yaml" > "$WORK/$1.out"
    LAST_PID=$SERVE_PID
}

# publish_and_check URL WORKERS...: $BATCH more numbered events through node URL; every
# event published so far must have its alert in the workers' files (none missing).
publish_and_check() {
    local url=$1 result
    shift
    "$TOOL" publish --url "$url" --file "$SAMPLE" --count "$BATCH" --start $((PUBLISHED + 1)) \
        > /dev/null
    PUBLISHED=$((PUBLISHED + BATCH))
    "$TOOL" wait-drained --url "$url" --timeout 120 > /dev/null
    local files=()
    for w in "$@"; do files+=("$WORK/$w.alerts"); done
    result=$("$TOOL" alerts --expect "$PUBLISHED" "${files[@]}") || true
    echo "   alerts: $result"
    [ "$(json_field "$result" missing)" = 0 ] || fail "events lost"
}

echo "== issue 18 item 2: the stream is created with the configured replicas and limits"
start_cluster 3
NATS_URL=${NODE_URL[2]}   # what start_worker and the tool read the consumer through
cluster_config a "$CLUSTER_URLS" "replicas: 3" "max_age_seconds: 86400" "max_bytes: 500000000" \
    "duplicate_window_seconds: 300"
start_worker a; A=$LAST_PID
wait_log "$WORK/a.log" '"msg":"nats input started"' 10 || fail "worker a did not start"
grep -q '"msg":"nats stream created".*"replicas":3' "$WORK/a.log" || fail "no stream created log"
replicas=$(stream_field EVENTS config.num_replicas)
max_age=$(stream_field EVENTS config.max_age)
max_bytes=$(stream_field EVENTS config.max_bytes)
window=$(stream_field EVENTS config.duplicate_window)
peers=$(stream_json EVENTS | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["cluster"].get("replicas") or []))')
echo "   stream EVENTS: replicas $replicas (leader n$(stream_leader EVENTS) + $peers peers), max_age $max_age ns, max_bytes $max_bytes, duplicate_window $window ns"
[ "$replicas" = 3 ] || fail "replicas $replicas, expected 3"
[ "$peers" = 2 ] || fail "$peers replica peers besides the leader, expected 2"
[ "$max_age" = 86400000000000 ] || fail "max_age $max_age"
[ "$max_bytes" = 500000000 ] || fail "max_bytes $max_bytes"
[ "$window" = 300000000000 ] || fail "duplicate_window $window"
publish_and_check "${NODE_URL[2]}" a
stop_worker "$A"

echo "== issue 18 item 1: a worker started while the first node of its list is down"
kill_node 1
echo "   n1 killed (kill -9); the stream's leader is n$(wait_stream_leader EVENTS 30)"
cluster_config b "$CLUSTER_URLS" "replicas: 3" "max_age_seconds: 86400" "max_bytes: 500000000" \
    "duplicate_window_seconds: 300"
start_worker b; B=$LAST_PID
wait_log "$WORK/b.log" '"msg":"nats input started"' 30 || fail "worker b did not start"
startup_figures b
if grep -q '"msg":"nats stream EVENTS has' "$WORK/b.log"; then fail "drift said of a stream as configured"; fi
publish_and_check "${NODE_URL[2]}" a b

echo "== issue 18 item 1: the connection fails over to another node of the list"
restart_node 1
wait_cluster_ready 30
connected=$(curl -fs "http://127.0.0.1:${NODE_HTTP[2]}/connz" | python3 -c 'import json,sys
print(sum(1 for c in json.load(sys.stdin).get("connections") or [] if c.get("name") == "vigie"))')
[ "$connected" = 1 ] || fail "worker b is not connected to n2 (n1 was down, n2 is next in its list)"
kill_node 2
echo "   n2 (worker b's node) killed; the stream's leader is n$(wait_stream_leader EVENTS 30)"
wait_log "$WORK/b.log" '"msg":"nats reconnected"' 30 || fail "worker b did not reconnect"
grep '"msg":"nats reconnected"' "$WORK/b.log" | tail -n 1 | sed 's/^/   /'
publish_and_check "${NODE_URL[3]}" a b
restart_node 2
wait_cluster_ready 30
stop_worker "$B"

echo "== issue 18 item 2: an existing stream that differs is not changed, and said at its key"
cluster_config d "$CLUSTER_URLS" "replicas: 1" "max_age_seconds: 3600"
"$VIGIE" config check "$WORK/d.yaml" > "$WORK/d.check.out" 2> "$WORK/d.check.err" ||
    { cat "$WORK/d.check.err"; fail "config check refused a configuration only differing from the stream"; }
sed 's/^/   /' "$WORK/d.check.err"
line=$(grep -n '^  replicas: 1' "$WORK/d.yaml" | cut -d: -f1)
grep -qF "d.yaml:$line:3: warning: nats.replicas: nats stream EVENTS has replicas 3, the configuration says 1" \
    "$WORK/d.check.err" || fail "config check: no replicas warning at its key"
line=$(grep -n '^  max_age_seconds: 3600' "$WORK/d.yaml" | cut -d: -f1)
grep -qF "d.yaml:$line:3: warning: nats.max_age_seconds: nats stream EVENTS has max_age_seconds 86400, the configuration says 3600" \
    "$WORK/d.check.err" || fail "config check: no max_age_seconds warning at its key"
drift=$(grep -c 'warning: nats\.[a-z_]*: nats stream EVENTS has' "$WORK/d.check.err")
[ "$drift" = 4 ] || fail "config check: $drift differences, expected 4 (replicas, max age, max bytes, window)"
grep -q ': valid; ' "$WORK/d.check.out" || fail "config check: not valid"
start_worker d; D=$LAST_PID
wait_log "$WORK/d.log" '"msg":"nats input started"' 30 || fail "worker d did not start"
grep -qF '"msg":"nats stream EVENTS has replicas 3, the configuration says 1; the stream is not changed","key":"nats.replicas"' \
    "$WORK/d.log" || fail "start-up: no replicas warning"
grep -qF 'nats stream EVENTS has max_age_seconds 86400, the configuration says 3600' "$WORK/d.log" ||
    fail "start-up: no max_age_seconds warning"
[ "$(stream_field EVENTS config.num_replicas)" = 3 ] || fail "the existing stream was changed"
[ "$(stream_field EVENTS config.max_age)" = 86400000000000 ] || fail "the existing stream was changed"
stop_worker "$D"
cluster_config n "$CLUSTER_URLS" "replicas: 3" "stream: OTHER" "subjects: other.>" \
    "dead_letter_subject: other.dead"
"$VIGIE" config check "$WORK/n.yaml" > /dev/null 2> "$WORK/n.check.err" || fail "config check n"
grep -q "note: nats stream OTHER does not exist yet" "$WORK/n.check.err" || fail "no note of a missing stream"

echo "== issue 18 item 1: every server down"
for i in 1 2 3; do stop_node "$i"; done
cluster_config c "$CLUSTER_URLS" "connect_retry_seconds: 3"
"$VIGIE" config check "$WORK/c.yaml" > "$WORK/c.check.out" 2> "$WORK/c.check.err" ||
    fail "config check must not fail on an unreachable server"
line=$(grep -n '^  url: ' "$WORK/c.yaml" | cut -d: -f1)
grep -q "c.yaml:$line:3: warning: nats.url: stream settings not compared: cannot connect to NATS at $CLUSTER_URLS" \
    "$WORK/c.check.err" || { cat "$WORK/c.check.err"; fail "config check: no unreachable warning"; }
start=$(date +%s.%N)
serve c; C=$LAST_PID
wait_exit "$C" 60; rc=$EXIT_CODE
took=$(python3 -c "print(round($(date +%s.%N) - $start, 1))")
echo "   gave up after $took s, exit $rc: $(grep -o '"msg":"not starting: nats".*' "$WORK/c.log")"
[ "$rc" = 1 ] || fail "exit $rc with every server down"
grep -q '"msg":"not starting: nats","error":"NATS not ready after 3 s (nats.connect_retry_seconds) and [0-9]* attempts, servers '"$CLUSTER_URLS"': cannot connect to NATS' \
    "$WORK/c.log" || fail "no clear start-up error"
retries=$(grep -c '"msg":"nats not ready at start-up; retrying"' "$WORK/c.log")
echo "   $retries retry warnings"
[ "$retries" -ge 2 ] || fail "$retries retry warnings"

echo "== issue 18 item 1: SIGTERM while waiting for the servers (connect_retry_seconds 0: forever)"
cluster_config s "$CLUSTER_URLS" "connect_retry_seconds: 0"
serve s; S=$LAST_PID
wait_log "$WORK/s.log" '"msg":"nats not ready at start-up; retrying"' 30 || fail "no retry warning"
kill -TERM "$S"
wait_exit "$S" 20; rc=$EXIT_CODE
[ "$rc" = 0 ] || fail "exit $rc after SIGTERM during the start-up retries"
grep -q '"msg":"stopped during start-up"' "$WORK/s.log" || fail "no stopped during start-up log"

echo "== issue 18 item 1: started with every server down, the cluster back within the retry time"
cluster_config e "$CLUSTER_URLS" "replicas: 3" "max_age_seconds: 86400" "max_bytes: 500000000" \
    "duplicate_window_seconds: 300" "connect_retry_seconds: 120"
serve e; E=$LAST_PID
wait_log "$WORK/e.log" '"msg":"nats not ready at start-up; retrying"' 30 || fail "no retry warning"
for i in 1 2 3; do start_node "$i"; done
wait_log "$WORK/e.log" '"msg":"nats input started"' 120 || fail "worker e did not come up"
startup_figures e
grep '"msg":"nats ready"' "$WORK/e.log" | sed 's/^/   /'
publish_and_check "${NODE_URL[1]}" a b e
stop_worker "$E"
echo "PASS"
