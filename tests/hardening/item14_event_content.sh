#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Hardening item 14 (event content), against real vigie scan and vigie serve (HTTP): a UTF-8
# byte order mark at the start of the input is skipped; a NUL byte is reported as such,
# with its place; a line is never counted both rejected and accepted; with a repeated key
# the alert's `matched` shows the value the rule matched.
set -u
vigie=$1
source_dir=$2
. "$source_dir/tests/serve/serve_lib.sh"

sample="$source_dir/samples/windows-sysmon.ndjson"
copy_windows_rules
good=$(grep -m1 'comsvcs' "$sample")
bom=$'\xEF\xBB\xBF'
scan() { "$vigie" scan --rules "$work/rules" --format jsonl "$@"; }
alerts_of_good=$(printf '%s\n' "$good" | scan 2>/dev/null | wc -l)
check "the good event alerts" test "$alerts_of_good" -gt 0

# --- byte order mark: a file, stdin
printf '%s%s\n%s\n' "$bom" "$good" "$good" > "$work/bom.ndjson"
scan "$work/bom.ndjson" > "$work/bom.out" 2> "$work/bom.err"
check "BOM file: exit 0" equals "$?" 0
check "BOM file: both events read, none rejected" grep -q '2 events read, 0 rejected' "$work/bom.err"
check "BOM file: both alert" equals "$(wc -l < "$work/bom.out")" $((2 * alerts_of_good))
scan < "$work/bom.ndjson" > /dev/null 2> "$work/bom-stdin.err"
check "BOM on stdin: exit 0" equals "$?" 0
check "BOM on stdin: none rejected" grep -q '2 events read, 0 rejected' "$work/bom-stdin.err"

# --- NUL bytes, located
printf '%s\n{"a":"x\0y"}\n\0\n%s\n' "$good" "$good" > "$work/nul.ndjson"
scan "$work/nul.ndjson" > /dev/null 2> "$work/nul.err"
check "NUL: rejected lines are not fatal, exit 0" equals "$?" 0
check "NUL in a document: its offset" grep -q 'nul.ndjson:2: NUL byte at offset 7 of the document' "$work/nul.err"
check "NUL between documents" grep -q 'nul.ndjson:3: NUL byte between documents' "$work/nul.err"
check "NUL: 2 read, 2 rejected" grep -q '2 events read, 2 rejected' "$work/nul.err"

# --- a line is accepted or rejected, never both
{
  printf '%s\n' "$good"
  printf '%s x\n' "$good"                      # line 2: a stray scalar after the event
  printf '%s}\n' "$good"                       # line 3: a stray brace
  printf '%s {"a":1,,"b":2}\n' "$good"         # line 4: a malformed second document
  printf '%s%s\n' "$bom" "$good"               # line 5: a BOM not at the start
  printf '%s\n' "$good"
} > "$work/mixed.ndjson"
scan "$work/mixed.ndjson" > "$work/mixed.out" 2> "$work/mixed.err"
check "mixed: exit 0" equals "$?" 0
check "mixed: 2 events read, 4 rejected" grep -q '2 events read, 4 rejected' "$work/mixed.err"
for line in 2 3 4 5; do
  check "mixed: line $line rejected once" equals "$(grep -c "mixed.ndjson:$line:" "$work/mixed.err")" 1
done
check "mixed: alerts only from lines 1 and 6" equals "$(grep -vcE '"line":[16][,}]' "$work/mixed.out")" 0
check "mixed: both good lines alert" equals "$(wc -l < "$work/mixed.out")" $((2 * alerts_of_good))

# --- a repeated key: matched shows the value that matched, not the decoy before it
sed 's/"ProcessId":14820,/"ProcessId":14820,"Image":"C:\\\\Users\\\\Public\\\\decoy.exe",/' <<<"$good" > "$work/dup.ndjson"
check "dup: the decoy is in the event" grep -q 'decoy.exe' "$work/dup.ndjson"
scan "$work/dup.ndjson" > "$work/dup.out" 2>/dev/null
check "dup: exit 0" equals "$?" 0
check "dup: alerts as without the decoy" equals "$(wc -l < "$work/dup.out")" "$alerts_of_good"
check "dup: matched Image is rundll32" grep -q '"name":"Image","value":"C:\\\\Windows\\\\System32\\\\rundll32.exe"' "$work/dup.out"
check "dup: matched never shows the decoy" equals \
  "$(sed 's/,"event":.*//' "$work/dup.out" | grep -o '"matched":.*' | grep -c decoy)" 0

# --- vigie serve, HTTP: the same bodies
cat > "$work/vigie.yaml" <<YML
rules: {paths: [$work/rules], mapping: windows, cache_dir: $work/cache}
alerts: {output: $work/alerts.jsonl}
$(demo_agency unlimited)
YML
start_serve A "$work/vigie.yaml" || exit 1
port=$HTTP_A
check "serve: BOM body 200" equals "$(post "$port" demo-token "$work/bom.ndjson")" 200
check "serve: BOM body, 2 accepted" equals "$(json_number "$work/body" accepted)" 2
check "serve: BOM body, none rejected" has "$work/body" '"rejected":[]'
check "serve: NUL body 200" equals "$(post "$port" demo-token "$work/nul.ndjson")" 200
check "serve: NUL located" has "$work/body" '{"line":2,"error":"NUL byte at offset 7 of the document"}'
check "serve: NUL between documents" has "$work/body" '{"line":3,"error":"NUL byte between documents"}'
check "serve: mixed body 200" equals "$(post "$port" demo-token "$work/mixed.ndjson")" 200
check "serve: mixed, 2 accepted" equals "$(json_number "$work/body" accepted)" 2
check "serve: mixed, lines 2-5 rejected once each" equals \
  "$(grep -o '"line":[0-9]*' "$work/body" | tr '\n' ' ')" '"line":2 "line":3 "line":4 "line":5 '
check "serve: mixed, alerts of 2 lines" equals "$(json_number "$work/body" alerts)" $((2 * alerts_of_good))
gzip -c "$work/bom.ndjson" > "$work/bom.gz"
check "serve: gzip'd BOM body 200" equals "$(post "$port" demo-token "$work/bom.gz" -H 'Content-Encoding: gzip')" 200
check "serve: gzip'd BOM body, 2 accepted" equals "$(json_number "$work/body" accepted)" 2
check "healthz after" equals "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz")" 200
stop_serve A
check "serve exits 0" equals "$STATUS" 0

echo "item 14 event content: $pass checks passed, $failures failed"
[ "$failures" -eq 0 ]
