#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Hardening item 1: deep JSON nesting. A 100,000-deep document between good lines used to
# kill `vigie scan` (exit 139) and `vigie serve` (SIGSEGV). Now that line alone is rejected
# with its reason ("nested deeper than N levels"), the good lines around it raise their
# alerts, and serve goes on answering. Real vigie scan, real vigie serve, curl.
set -u
vigie=$1
source_dir=$2
. "$source_dir/tests/serve/serve_lib.sh"

sample="$source_dir/samples/windows-sysmon.ndjson"
copy_windows_rules
grep -m2 'comsvcs' "$sample" > "$work/good.ndjson"
check "two alerting sample events" equals "$(wc -l < "$work/good.ndjson")" 2
deep() {  # deep DEPTH: {"a":[[[...]]]} nested DEPTH+1 levels
  python3 -c "import sys; d=int(sys.argv[1]); print('{\"a\":' + '['*d + ']'*d + '}')" "$1"
}
{ sed -n 1p "$work/good.ndjson"; deep 100000; sed -n 2p "$work/good.ndjson"; } > "$work/deep.ndjson"

# --- vigie scan: the deep line is reported, the good ones alert, no crash
"$vigie" scan --rules "$work/rules" --format jsonl "$work/deep.ndjson" \
  > "$work/scan.out" 2> "$work/scan.err"
status=$?
check "scan exits normally (not a crash)" equals "$status" 0
check "deep line reported with its reason" grep -q 'deep.ndjson:2: nested deeper than 64 levels' "$work/scan.err"
check "summary counts it once, rejected" grep -q '2 events read, 1 rejected' "$work/scan.err"
alone=$("$vigie" scan --rules "$work/rules" --format jsonl "$work/good.ndjson" 2>/dev/null | wc -l)
check "the good lines raise their alerts" equals "$(wc -l < "$work/scan.out")" "$alone"
check "the good lines raise alerts at all" test "$alone" -gt 0
check "alerts name lines 1 and 3" equals "$(grep -c '"line":[13][,}]' "$work/scan.out")" "$alone"

# --- vigie scan --max-nesting-depth: the limit is a setting
deep 9 > "$work/ten.ndjson"  # 10 levels: the object and 9 arrays
"$vigie" scan --rules "$work/rules" --max-nesting-depth 10 "$work/ten.ndjson" > /dev/null 2> "$work/ten.err"
check "a limit of 10: exit 0" equals "$?" 0
check "10 levels accepted under a limit of 10" grep -q '1 events read, 0 rejected' "$work/ten.err"
"$vigie" scan --rules "$work/rules" --max-nesting-depth 9 "$work/ten.ndjson" > /dev/null 2> "$work/nine.err"
check "a limit of 9: a rejected line is not fatal, exit 0" equals "$?" 0
check "10 levels refused under a limit of 9" grep -q 'ten.ndjson:1: nested deeper than 9 levels' "$work/nine.err"
"$vigie" scan --rules "$work/rules" --max-nesting-depth 0 "$work/ten.ndjson" > /dev/null 2> "$work/zero.err"
check "a limit of 0 is a command-line error (exit 2)" equals "$?" 2
check "  naming the option and its range" has "$work/zero.err" "--max-nesting-depth: Value 0 not in range 1 to 256"

# --- vigie serve over HTTP: a 100,000-deep line gzip'd among good ones
cat > "$work/vigie.yaml" <<YML
http:
  max_body_bytes: 4000000
  max_event_bytes: 1048576
rules: {paths: [$work/rules], mapping: windows, cache_dir: $work/cache}
engine: {threads: 2}
alerts: {output: $work/alerts.jsonl}
$(demo_agency unlimited)
YML
start_serve A "$work/vigie.yaml" || exit 1
port=$HTTP_A
gzip -9 -c "$work/deep.ndjson" > "$work/deep.gz"
check "the gzip'd body is small (the attack is cheap)" test "$(wc -c < "$work/deep.gz")" -lt 4000
check "deep body answered 200" equals "$(post "$port" demo-token "$work/deep.gz" -H 'Content-Encoding: gzip')" 200
check "the good lines accepted" equals "$(json_number "$work/body" accepted)" 2
check "the deep line rejected with its reason" has "$work/body" '"rejected":[{"line":2,"error":"nested deeper than 64 levels"}]'
check "the good lines' alerts" equals "$(json_number "$work/body" alerts)" "$alone"
check "serve still alive" kill -0 "$PID_A"
check "healthz after" equals "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz")" 200
check "the same body again, same answer" equals "$(post "$port" demo-token "$work/deep.gz" -H 'Content-Encoding: gzip')" 200
check "still 2 accepted" equals "$(json_number "$work/body" accepted)" 2
stop_serve A
check "serve drains and exits 0" equals "$STATUS" 0

echo "item 1 deep nesting: $pass checks passed, $failures failed"
[ "$failures" -eq 0 ]
