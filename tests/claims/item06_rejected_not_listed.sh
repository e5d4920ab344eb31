#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Issue 19 item 6: "beyond 1000 rejections only their number, rejected_not_listed"
# (README, POST /v1/events). A real vigie serve and curl: one POST of 2 good events around
# 1,205 malformed lines gets 200 with the 2 accepted, the first 1,000 rejections listed by
# line (2..1001) and rejected_not_listed 205; every one of the 1,205 is still counted in the
# metrics. Exactly 1,000 rejections are all listed, with no rejected_not_listed.
set -u
vigie=$1
source_dir=$2
. "$source_dir/tests/serve/serve_lib.sh"

cat > "$work/vigie.yaml" <<YAML
rules: {paths: [$source_dir/rules/windows], mapping: windows, cache_dir: $work/cache}
engine: {threads: 1}
alerts: {output: $work/alerts.jsonl}
agencies:
  - {id: demo, token_sha256: $(digest demo-token)}
YAML
good='{"Event":{"System":{"EventID":1,"Computer":"ws-01"},"EventData":{"Image":"C:\\Windows\\notepad.exe"}}}'
body() {  # body BAD_LINES: a good event, BAD_LINES malformed lines, a good event
  printf '%s\n' "$good"
  yes '{"broken":' | head -n "$1"
  printf '%s\n' "$good"
}
listed() { grep -o '"line":[0-9]*' "$work/body" | cut -d: -f2; }

start_serve A "$work/vigie.yaml" || exit 1
body 1205 > "$work/over.ndjson"
check "1,205 rejections in one POST: 200" equals "$(post "$HTTP_A" demo-token "$work/over.ndjson")" 200
check "  the 2 good events accepted" equals "$(json_number "$work/body" accepted)" 2
check "  1,000 rejections listed" equals "$(listed | wc -l)" 1000
check "  the first ones, in order: lines 2..1001" equals "$(listed | tr '\n' ' ')" "$(seq 2 1001 | tr '\n' ' ')"
check "  each with its reason" equals "$(grep -o '"error":"[^"]*"' "$work/body" | grep -c .)" 1000
check "  rejected_not_listed: the other 205" equals "$(json_number "$work/body" rejected_not_listed)" 205

body 1000 > "$work/exactly.ndjson"
check "exactly 1,000 rejections: 200" equals "$(post "$HTTP_A" demo-token "$work/exactly.ndjson")" 200
check "  all 1,000 listed" equals "$(listed | wc -l)" 1000
check "  no rejected_not_listed" equals "$(grep -c rejected_not_listed "$work/body")" 0

# Not listed is not lost: the metrics count every rejection of both requests.
malformed() {
  curl -s "http://127.0.0.1:$METRICS_A/metrics" |
    grep -F 'vigie_events_rejected_total{agency="demo",input="http",reason="malformed_json"} ' |
    awk '{print $2}'
}
malformed_is() { [ "$(malformed)" = "$1" ]; }
wait_until 10 malformed_is 2205  # the metrics are refreshed once a second
check "every rejection counted in the metrics (2,205)" equals "$(malformed)" 2205
stop_serve A
check "exit 0" equals "$STATUS" 0

echo "item06 rejected_not_listed: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
