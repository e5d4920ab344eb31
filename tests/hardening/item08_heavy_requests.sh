#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Hardening item 8: heavy requests do not block the I/O threads. A real vigie serve with a
# TAXII server. The test holds the TAXII store's write lock (as a slow disk would), then two
# peers POST 4 MB envelopes: both are read, parsed and stuck storing (the metric
# vigie_http_requests_in_progress shows them). While they are still in progress (their
# curls still waiting), GET /healthz answers 200 and an agency's POST /v1/events is
# accepted. Once the lock is released, both POSTs are answered 202 and the server stops
# cleanly.
set -u
vigie=$1
source_dir=$2
. "$source_dir/tests/serve/serve_lib.sh"

collection=91a7b528-80eb-42ed-a74d-c6fbd5a26116
cat > "$work/vigie.yaml" <<YAML
http: {read_timeout_seconds: 120}
rules: {paths: [$source_dir/rules/windows], cache_dir: $work/cache}
alerts: {output: $work/alerts.jsonl}
$(demo_agency)
$(taxii_for_amber "$collection" "read: true, write: true" "max_content_length: 16777216")
YAML
start_serve A "$work/vigie.yaml" || exit 1
base="http://127.0.0.1:$HTTP_A"
media='application/taxii+json;version=2.1'

python3 - "$work" <<'PY'
import sys, uuid
work = sys.argv[1]
for n in (1, 2):
    objs = []
    size = 0
    i = 0
    while size < 4_000_000:
        o = ('{"type":"indicator","spec_version":"2.1","id":"indicator--%s",'
             '"created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z",'
             '"pattern":"[domain-name:value = \'h%d-%d.example\']","pattern_type":"stix",'
             '"valid_from":"2024-01-01T00:00:00Z"}' % (uuid.uuid4(), n, i))
        objs.append(o)
        size += len(o) + 1
        i += 1
    with open(f"{work}/envelope{n}.json", "w") as f:
        f.write('{"objects":[' + ",".join(objs) + ']}')
PY

# The store's write lock, held until $work/release appears (60 s at most).
python3 "$source_dir/tests/support/hold_sqlite_lock.py" "$work/taxii.sqlite" "$work" 60 &
locker=$!
wait_until 30 test -f "$work/locked"
check "the TAXII store's write lock is held" test -f "$work/locked"

pids=()
for n in 1 2; do
  curl -s -o "$work/taxii$n.body" -w '%{http_code}' -u amber:amber-pw -H "Accept: $media" \
    -H "Content-Type: $media" -X POST --data-binary @"$work/envelope$n.json" \
    "$base/api1/collections/$collection/objects/" > "$work/taxii$n.code" &
  pids+=($!)
done
in_progress() {
  curl -s "http://127.0.0.1:$METRICS_A/metrics" |
    sed -nE 's/^vigie_http_requests_in_progress ([0-9.e+]+)$/\1/p' | cut -d. -f1
}
in_progress_is() { [ "$(in_progress)" = "$1" ]; }
wait_until 30 in_progress_is 2
check "both TAXII POSTs are being handled (vigie_http_requests_in_progress 2)" equals "$(in_progress)" 2

check "meanwhile GET /healthz answers 200" \
  equals "$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "$base/healthz")" 200
printf '%s\n' '{"EventID":1,"Image":"C:\\a.exe"}' > "$work/one.ndjson"
check "meanwhile an agency's POST is accepted" \
  equals "$(post "$HTTP_A" demo-token "$work/one.ndjson" --max-time 30)" 200
check "  one event" equals "$(json_number "$work/body" accepted)" 1
check "and both TAXII POSTs are still in progress" kill -0 "${pids[0]}" "${pids[1]}"
check "  (unanswered)" test ! -s "$work/taxii1.code" -a ! -s "$work/taxii2.code"

touch "$work/release"
wait "$locker"
check "the lock holder commits and exits 0" equals "$?" 0
wait "${pids[@]}"
check "once the store is free, the first TAXII POST: 202" equals "$(cat "$work/taxii1.code")" 202
check "  and the second: 202" equals "$(cat "$work/taxii2.code")" 202
check "  every object of the first stored" has "$work/taxii1.body" '"failure_count":0'
check "  every object of the second stored" has "$work/taxii2.body" '"failure_count":0'
stop_serve A
check "and stops cleanly (exit 0)" equals "$STATUS" 0
[ "$failures" -eq 0 ] || { cut -c1-300 "$work"/taxii*.body; tail -5 "$work/A.log" | cut -c1-300; }

echo "item08 heavy requests: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
