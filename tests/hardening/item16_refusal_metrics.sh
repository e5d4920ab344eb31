#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Hardening item 16: refusals in the metrics. A real vigie serve whose only output is a
# webhook that is down; its spool (1 MiB) fills until agencies get 503 + Retry-After. A
# scrape right after the first 503 shows the spool as it is then (vigie_spool_full 1, the
# refusal counted), not as it was at the last one-second snapshot; and every 503 is counted
# in vigie_http_responses_total{outcome="unavailable"}.
set -u
vigie=$1
source_dir=$2
. "$source_dir/tests/serve/serve_lib.sh"

webhook_down_config > "$work/vigie.yaml"
start_serve A "$work/vigie.yaml" || exit 1
sample="$source_dir/samples/windows-sysmon.ndjson"
metric() {  # metric NAME_AND_LABELS: its value (integer part) in $work/metrics
  grep -v '^#' "$work/metrics" | grep -F "$1 " | head -1 | awk '{print $2}' | cut -d. -f1
}

accepted=0
code=200
for _ in $(seq 1 200); do
  code=$(post "$HTTP_A" demo-token "$sample")
  [ "$code" = 200 ] || break
  accepted=$((accepted + 1))
done
curl -s -o "$work/metrics" "http://127.0.0.1:$METRICS_A/metrics"
check "the spool fills: 503 after $accepted accepted requests" equals "$code" 503
check "  with Retry-After" grep -qi '^retry-after' "$work/headers"
check "  saying why" has "$work/body" 'alert spool full'
check "a scrape right after it: vigie_spool_full 1" equals "$(metric vigie_spool_full)" 1
check "  the refused append counted" test "$(metric vigie_spool_full_refusals_total)" -ge 1
check "  the spool's bytes as they are" test "$(metric vigie_spool_bytes)" -gt 0

refused=1
for _ in 1 2; do [ "$(post "$HTTP_A" demo-token "$sample")" = 503 ] && refused=$((refused + 1)); done
check "the next requests are refused too" equals "$refused" 3
unavailable() {
  curl -s -o "$work/metrics" "http://127.0.0.1:$METRICS_A/metrics"
  metric 'vigie_http_responses_total{outcome="unavailable"}'
}
unavailable_is() { [ "$(unavailable)" = "$1" ]; }
# The count may land just after curl has its response: waits for it, 10 s at most.
wait_until 10 unavailable_is "$refused"
check "every 503 counted in vigie_http_responses_total{outcome=\"unavailable\"}" \
  equals "$(unavailable)" "$refused"
check "the log says the spool is full" has "$work/A.log" 'alert spool full'
stop_serve A
check "and stops cleanly (exit 0)" equals "$STATUS" 0
[ "$failures" -eq 0 ] || { cat "$work/body"; grep vigie_spool "$work/metrics"; }

echo "item16 refusal metrics: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
