#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Command-line behaviour of `vigie scan` and `vigie rules check`: bad input is reported
# as file:line: reason and counted, the good documents around it are still scanned, bad
# rules are reported as file:line:col: rule <id>: message, exit codes.
set -u
vigie=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/../support/check_lib.sh"

cat > "$work/rule.yml" <<'YML'
title: Whoami
id: 11111111-1111-4111-8111-111111111111
status: test
level: medium
tags: [attack.discovery, attack.t1033]
logsource: {product: windows, category: process_creation}
detection:
  sel:
    Event.EventData.CommandLine|contains: whoami
  condition: sel
YML
{
  printf '%s\n' '{"Event":{"EventData":{"CommandLine":"whoami /all"}}}'   # 1 ok, alert
  printf '%s\n' '{"a":1,,"b":2}'                                          # 2 malformed
  printf '{"b":"\xff\xfe"}\n'                                             # 3 invalid UTF-8
  printf '%s\n' '7'                                                       # 4 not an object
  printf '{"big":"%0300d"}\n' 0                                           # 5 over --max-event-bytes
  printf '%s\n' '{"Event":{"EventData":{"CommandLine":"WHOAMI"}}}'        # 6 ok, alert
  printf '%s\n' '{"Event":{"EventData":{"CommandLine":"dir"}}}'           # 7 ok, no alert
  printf '%s' '{"trunc":"x'                                               # 8 truncated
} > "$work/events.ndjson"

"$vigie" scan --rules "$work/rule.yml" --mapping flat --format jsonl --max-event-bytes 200 \
  "$work/events.ndjson" > "$work/out" 2> "$work/err"
status=$?
check "scan exits 0 on bad input" test $status -eq 0
check "malformed JSON is located" grep -qE "events.ndjson:2: .+" "$work/err"
check "invalid UTF-8 is located" grep -qE "events.ndjson:3: .*UTF-8" "$work/err"
check "non-object is located" has "$work/err" "events.ndjson:4: document is not a JSON object"
check "oversized document is located" grep -qE "events.ndjson:5: document of [0-9]+ bytes is over the limit of 200" "$work/err"
check "truncated document is located" has "$work/err" "events.ndjson:8: truncated document"
check "summary counts events and rejections" has "$work/err" "3 events read, 5 rejected, 2 alerts"
check "two alerts" test "$(wc -l < "$work/out")" -eq 2
check "alert has rule fields" has "$work/out" '"rule":{"id":"11111111-1111-4111-8111-111111111111","title":"Whoami","level":"medium"'
check "alert has tags" has "$work/out" '"tags":["attack.discovery","attack.t1033"]'
check "alert has source index and line" has "$work/out" '"index":5,"line":6}'
check "alert carries the event" has "$work/out" '"event":{"Event":{"EventData":{"CommandLine":"WHOAMI"}}}'

# The prefilter lets through only the events that can match; --no-prefilter evaluates
# every rule on every event, with the same alerts.
"$vigie" scan --rules "$work/rule.yml" --mapping flat --format jsonl --metrics-file "$work/m1" \
  --max-event-bytes 200 "$work/events.ndjson" > "$work/out1" 2> /dev/null
check "the prefiltered scan exits 0" equals "$?" 0
"$vigie" scan --rules "$work/rule.yml" --mapping flat --format jsonl --metrics-file "$work/m2" \
  --max-event-bytes 200 --no-prefilter "$work/events.ndjson" > "$work/out2" 2> /dev/null
check "the --no-prefilter scan exits 0" equals "$?" 0
check "the prefilter evaluates the rule on the 2 events that name whoami" \
  grep -qE '^vigie_rule_evaluations_total\{input=".*events.ndjson"\} 2$' "$work/m1"
check "--no-prefilter evaluates it on all 3 events" \
  grep -qE '^vigie_rule_evaluations_total\{input=".*events.ndjson"\} 3$' "$work/m2"
check "--no-prefilter gives the same alerts" \
  cmp -s <(sed -E 's/,"time":[0-9]+,/,/' "$work/out1") <(sed -E 's/,"time":[0-9]+,/,/' "$work/out2")

# Pretty-printed documents one after another, and a JSON array, and stdin.
printf '{\n  "Event": {\n    "EventData": {"CommandLine": "whoami"}\n  }\n}\n{\n "x": 1\n}\n' > "$work/pretty.json"
"$vigie" scan --rules "$work/rule.yml" --mapping flat --format jsonl "$work/pretty.json" > "$work/out" 2> "$work/err"
check "pretty-printed documents: exit 0" equals "$?" 0
check "pretty-printed documents" has "$work/err" "2 events read, 0 rejected, 1 alerts"
printf '[{"Event":{"EventData":{"CommandLine":"whoami"}}},\n {"Event":{"EventData":{"CommandLine":"whoami"}}}]' |
  "$vigie" scan --rules "$work/rule.yml" --mapping flat --format jsonl - > "$work/out" 2> "$work/err"
check "JSON array on stdin: exit 0" equals "${PIPESTATUS[1]}" 0
check "JSON array on stdin" has "$work/err" "2 events read, 0 rejected, 2 alerts"
check "stdin is named" has "$work/out" '"file":"<stdin>"'
"$vigie" scan --rules "$work/rule.yml" --mapping flat --min-level high --format jsonl "$work/pretty.json" > "$work/out" 2> "$work/err"
check "--min-level: exit 0" equals "$?" 0
check "--min-level: the event was still read" has "$work/err" "2 events read, 0 rejected, 0 alerts"
check "--min-level filters" test ! -s "$work/out"
"$vigie" scan --rules "$work/rule.yml" --mapping flat --format table "$work/events.ndjson" > "$work/out" 2> /dev/null
check "table format: exit 0" equals "$?" 0
check "table format" grep -qE "^medium +Whoami +11111111-1111-4111-8111-111111111111 .*events.ndjson:1 \(#0\)" "$work/out"

# Bad rules: located, the good rule still loads.
mkdir "$work/rules"
cp "$work/rule.yml" "$work/rules/good.yml"
printf 'title: broken\ndetection: [a, b\n' > "$work/rules/not_yaml.yml"
cat > "$work/rules/bad_modifier.yml" <<'YML'
title: Bad modifier
id: bad-modifier
logsource: {product: windows}
detection:
  sel:
    Image|endswith|frobnicate: x.exe
  condition: sel
YML
cat > "$work/rules/missing_selection.yml" <<'YML'
title: Missing selection
id: missing-selection
logsource: {product: windows}
detection:
  sel:
    Image: x.exe
  condition: sel and not filter
YML
cat > "$work/rules/bad_regex.yml" <<'YML'
title: Bad regex
id: bad-regex
logsource: {product: windows}
detection:
  sel:
    CommandLine|re: 'a(b'
  condition: sel
YML
"$vigie" rules check --mapping flat "$work/rules" > "$work/out" 2> "$work/err"
status=$?
check "rules check exits 1 when a rule fails" test $status -eq 1
check "rules check counts" has "$work/out" "loaded 1 of 5 rules"
check "invalid YAML is located" grep -qE "not_yaml.yml:[0-9]+:[0-9]+: not valid YAML" "$work/err"
check "unknown modifier is located" has "$work/err" "bad_modifier.yml:6:5: rule bad-modifier: unknown modifier 'frobnicate'"
check "missing selection is located" has "$work/err" "missing_selection.yml:7:26: rule missing-selection: condition: condition names 'filter', which is not a selection of this rule"
check "bad regex is located" grep -qE "bad_regex.yml:6:21: rule bad-regex: regex rejected by PCRE2 at offset 3: .*missing closing parenthesis" "$work/err"
"$vigie" scan --rules "$work/rules" --mapping flat --format jsonl "$work/pretty.json" > "$work/out" 2> "$work/err"
check "scan without --strict: bad rules are not fatal (exit 0)" equals "$?" 0
check "scan skips bad rules and goes on" has "$work/err" "2 events read, 0 rejected, 1 alerts"
"$vigie" scan --strict --rules "$work/rules" --mapping flat "$work/pretty.json" > /dev/null 2>&1
check "--strict makes rule problems fatal" test $? -eq 1

# Exit codes and the usual flags.
"$vigie" --version > "$work/out"
check "--version exits 0" equals "$?" 0
check "--version prints the version" grep -qE '^vigie [0-9]+\.[0-9]+\.[0-9]+$' "$work/out"
"$vigie" scan --help > "$work/out"
check "--help exits 0" equals "$?" 0
check "--help lists the options" grep -q -- '--min-level' "$work/out"
"$vigie" scan --no-such-option > /dev/null 2>&1
check "unknown option exits 2" test $? -eq 2
"$vigie" scan --rules "$work/rule.yml" --mapping no-such-mapping "$work/pretty.json" > /dev/null 2> "$work/err"
check "unknown mapping exits 1" equals "$?" 1
check "unknown mapping: the message names it" has "$work/err" "no-such-mapping: no such mapping file, and no built-in mapping"

# vigie config check: the sample is valid; a mistake is reported at its place, exit 1.
samples=$(cd "$(dirname "$0")/../../samples" && pwd)
# From the project's root, as README runs it: the sample's paths (rules) are relative.
(cd "$samples/.." && "$vigie" config check samples/vigie.yaml) > "$work/out" 2> "$work/err"
check "config check: the sample is valid" test $? -eq 0
check "config check: it says what it read" has "$work/out" "1 agencies, nats off, admin API on"
printf 'http:\n  listen: 127.0.0.1:8080\n  max_conections: 10\n' > "$work/bad.yaml"
"$vigie" config check "$work/bad.yaml" > /dev/null 2> "$work/err"
check "config check: exit 1 on a mistake" test $? -eq 1
check "config check: the mistake with file:line:col" has "$work/err" "bad.yaml:3:3: unknown setting http.max_conections"

echo "$pass passed, $failures failed"
[ $failures -eq 0 ]
