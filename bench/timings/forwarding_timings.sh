#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Timings moved out of the outputs and serve tests (issue 19 item 3), which now assert the
# behaviour only. A real vigie serve with one webhook output (batches of 4) and
# tests/outputs/webhook_receiver.py on loopback; 10 alerts (samples/windows-sysmon.ndjson).
#  1. retries: from the first failed request (503, dropped connection, 500) to the one
#     answered 200, as a ratio of the sum of the backoff ceilings (100 + 200 + 400 ms; full
#     jitter draws each delay in [0, ceiling], so about 0.5 on average, at most 1 plus the
#     requests' own time);
#  2. SIGTERM to exit with the webhook healthy: the drain of what the spool holds;
#  3. SIGTERM to exit with the webhook unreachable, as a ratio of spool.drain_seconds (2 s);
#  4. SIGTERM to exit with a delivery hanging and drain_seconds 0, as a ratio of the
#     forwarder's timeout (60 s): the interrupt, not the timeout, ends it.
# Usage: forwarding_timings.sh [BUILD_DIR]
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build}
vigie=$build/vigie
src=$here
. "$here/tests/serve/serve_lib.sh"
token=demo-token-change-me
now_ms() { echo $(($(date +%s%N) / 1000000)); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

# receiver NAME PLAN: a webhook receiver; its URL in $URL.
receiver() {
  python3 "$src/tests/outputs/webhook_receiver.py" --port-file "$work/$1.port" \
    --log "$work/recv-$1.log" --secret s3cret --plan "$2" &
  wait_until 10 test -s "$work/$1.port" || { echo "receiver $1 did not start"; exit 1; }
  URL="http://127.0.0.1:$(cat "$work/$1.port")/hook"
}
# run NAME URL DRAIN_SECONDS TIMEOUT_MS: vigie serve with the webhook output; posts the
# sample; sets SENT_MS (when the POST was answered).
run() {
  cat > "$work/$1.yaml" <<YAML
rules: {paths: [$src/rules], mapping: windows, cache_dir: $work/cache}
alerts:
  outputs:
    - {name: hook, type: webhook, url: "$2", secret_env: HOOK_SECRET, batch: 4,
       timeout_ms: $4, retry_initial_ms: 100, retry_max_ms: 400}
spool: {directory: $work/spool-$1, drain_seconds: $3}
agencies:
  - id: demo
    token_sha256: $(digest "$token")
YAML
  HOOK_SECRET=s3cret start_serve "$1" "$work/$1.yaml" || exit 1
  [ "$(post "$(eval echo "\$HTTP_$1")" "$token" "$src/samples/windows-sysmon.ndjson")" = 200 ] ||
    { echo "POST refused"; exit 1; }
  SENT_MS=$(now_ms)
}
# stop_timed NAME: SIGTERM to exit, in ms, in STOP_MS.
stop_timed() {
  local t0
  t0=$(now_ms)
  stop_serve "$1"
  STOP_MS=$(($(now_ms) - t0))
}
answered() { grep -c "\"answer\": \"$2\"" "$work/recv-$1.log" 2> /dev/null; }
answered_at_least() { [ "$(answered "$1" "$2")" -ge "$3" ]; }  # NAME ANSWER COUNT

# 1. retries
receiver retry 503,drop,500
run retry "$URL" 10 10000
wait_until 30 answered_at_least retry 200 3 || { echo "retries: not delivered"; exit 1; }
recovery_ms=$(python3 -c 'import json,sys
lines = [json.loads(l) for l in open(sys.argv[1])]
first_ok = next(l["time"] for l in lines if l["answer"] == "200")
print(int((first_ok - lines[0]["time"]) * 1000))' "$work/recv-retry.log")
stop_serve retry
echo "webhook retries: 3 failures to delivery ${recovery_ms} ms," \
  "$(ratio "$recovery_ms" 700) x the sum of the backoff ceilings (700 ms)"

# 2. drain, healthy webhook
receiver healthy ""
run healthy "$URL" 10 10000
stop_timed healthy
echo "SIGTERM to exit, healthy webhook, sent at once: ${STOP_MS} ms" \
  "($(answered healthy 200) batches delivered, before SIGTERM or in the drain)"

# 3. drain, unreachable webhook
run down "http://127.0.0.1:9/hook" 2 10000
stop_timed down
echo "SIGTERM to exit, unreachable webhook: ${STOP_MS} ms," \
  "$(ratio "$STOP_MS" 2000) x spool.drain_seconds (2 s)"

# 4. interrupt of a hanging delivery
receiver hang hang
run hang "$URL" 0 60000
wait_until 30 answered_at_least hang hang 1 || { echo "hang: no request"; exit 1; }
stop_timed hang
echo "SIGTERM to exit, delivery hanging, drain 0: ${STOP_MS} ms," \
  "$(ratio "$STOP_MS" 60000) x the forwarder's timeout (60 s)"
