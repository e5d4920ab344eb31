#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Hardening item 12: one request whose alerts alone are more than the whole spool holds
# gets 413 with the reason (it can never fit: retrying cannot help), not "503, retry later"
# for ever; the log says so, not "spool full". A real vigie serve whose only output is a
# webhook that is down (the spool, 1 MiB, holds every alert). A normal request is still
# accepted afterwards; the 413 is counted in vigie_http_responses_total{outcome="too_large"}.
set -u
vigie=$1
source_dir=$2
. "$source_dir/tests/serve/serve_lib.sh"

webhook_down_config > "$work/vigie.yaml"
start_serve A "$work/vigie.yaml" || exit 1
sample="$source_dir/samples/windows-sysmon.ndjson"
# 30 copies of the sample: one request whose alerts (about 1.5 MB) are more than 1 MiB.
for _ in $(seq 1 30); do cat "$sample"; done > "$work/big.ndjson"

check "a request whose alerts alone are over spool.max_bytes: 413" \
  equals "$(post "$HTTP_A" demo-token "$work/big.ndjson")" 413
check "  with the reason" has "$work/body" 'are more than the whole alert spool holds (spool.max_bytes 1048576)'
check "  and what to do" has "$work/body" 'split the request'
check "  no Retry-After (retrying cannot help)" bash -c "! grep -qi '^retry-after' '$work/headers'"
check "again: 413 again, not 503" equals "$(post "$HTTP_A" demo-token "$work/big.ndjson")" 413
check "the log says why" has "$work/A.log" "refused: the request's alerts can never be stored"
check "  and not that the spool is full" bash -c "! grep -q 'alert spool full' '$work/A.log'"
check "a normal request is still accepted" equals "$(post "$HTTP_A" demo-token "$sample")" 200
too_large() {
  curl -s "http://127.0.0.1:$METRICS_A/metrics" |
    sed -nE 's/^vigie_http_responses_total\{outcome="too_large"\} ([0-9.e+]+)$/\1/p' | cut -d. -f1
}
too_large_is() { [ "$(too_large)" = "$1" ]; }
# The count may land just after curl has its response: waits for it, 10 s at most.
wait_until 10 too_large_is 2
check "both 413s counted in vigie_http_responses_total{outcome=\"too_large\"}" equals "$(too_large)" 2
stop_serve A
check "and stops cleanly (exit 0)" equals "$STATUS" 0
[ "$failures" -eq 0 ] || { cat "$work/body"; grep -v '"level":"info"' "$work/A.log" | tail -5 | cut -c1-300; }

echo "item12 alerts over the spool: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
