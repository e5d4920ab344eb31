#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Hardening item 9: a regex that hits its PCRE2 match limit was counted silently as "no
# match", so padding a value evaded the rule ((.*a){20} missed 'a'*21+'!'). Against a real
# vigie serve: that event now fires the rule (fail-closed) and its alert says
# "undecided":true; /metrics counts it under the rule's id
# (vigie_rule_regex_limit_hits_total); the log says it once, rate-limited, however many
# events hit it; an event the regex decides is not counted; the server keeps serving. And
# vigie scan: the same alerts, counted in --metrics-file, with the rule's located warning.
# Usage: item09_regex_limit_metrics.sh VIGIE SOURCE_DIR
set -u
vigie=$1
source_dir=$2
. "$source_dir/tests/serve/serve_lib.sh"

mkdir -p "$work/rules"
cat > "$work/rules/padding.yml" <<'YML'
title: Padding cannot hide from a regex
id: regex-limit-1
level: high
logsource: {product: test}
detection:
  sel:
    CommandLine|re: '(.*a){20}'
  condition: sel
YML
cat > "$work/vigie.yaml" <<YML
rules: {paths: [$work/rules], mapping: flat, cache_dir: $work/cache}
alerts: {output: $work/alerts.jsonl}
$(demo_agency)
YML
padded=$(printf 'a%.0s' $(seq 1 21))!
for i in 1 2 3; do printf '{"CommandLine":"%s","n":%d}\n' "$padded" "$i"; done > "$work/padded.ndjson"

# vigie scan: the same choice, and --metrics-file counts it per rule.
"$vigie" scan --no-cache --mapping flat --rules "$work/rules" --metrics-file "$work/scan.prom" \
  "$work/padded.ndjson" > "$work/scan.jsonl" 2> "$work/scan.err"
check "scan exits 0" equals "$?" 0
check "scan: each padded event fires the rule" equals "$(grep -c '"undecided":true' "$work/scan.jsonl")" 3
check "scan: --metrics-file counts the hits" \
  has "$work/scan.prom" 'vigie_rule_regex_limit_hits_total{rule_id="regex-limit-1"} 3'
check "scan: the rule loads with a located warning" \
  grep -q "padding.yml:7:21: warning: rule regex-limit-1: regex can backtrack badly" "$work/scan.err"

start_serve A "$work/vigie.yaml" || exit 1
metrics() { curl -s "http://127.0.0.1:$METRICS_A/metrics"; }
hits() { metrics | sed -nE 's/^vigie_rule_regex_limit_hits_total\{rule_id="regex-limit-1"\} ([0-9]+).*/\1/p'; }

# Decided events first: no match, and a plain match; neither is counted.
printf '{"CommandLine":"bbbb"}\n{"CommandLine":"ab"}\n' > "$work/decided.ndjson"
check "decided events accepted" equals "$(post "$HTTP_A" demo-token "$work/decided.ndjson")" 200
check "no alert for them" equals "$(json_number "$work/body" alerts)" 0
check "no limit hit counted" equals "$(hits)" ""

check "padded events accepted" equals "$(post "$HTTP_A" demo-token "$work/padded.ndjson")" 200
check "each fires the rule (fail-closed)" equals "$(json_number "$work/body" alerts)" 3
check "again: a second job" equals "$(post "$HTTP_A" demo-token "$work/padded.ndjson")" 200
check "the alerts say undecided" equals "$(grep -c '"id":"regex-limit-1".*"undecided":true' "$work/alerts.jsonl")" 6
# The counter is folded after each job is answered: waits until both jobs are in.
hits_are() { [ "$(hits)" = "$1" ]; }
wait_until 10 hits_are 6
check "metrics: 6 limit hits for the rule" equals "$(hits)" 6
check "the log says it" test "$(grep -c '"msg":"regex match limit hit' "$work/A.log")" -ge 1
check "the log names the rule" has "$work/A.log" '"rule":"regex-limit-1"'
check "rate-limited: one line for both jobs" equals "$(grep -c '"msg":"regex match limit hit' "$work/A.log")" 1
check "still serving" equals "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_A/healthz")" 200
stop_serve A
check "serve stops cleanly" equals "$STATUS" 0
echo "$pass passed, $failures failed"
[ $failures -eq 0 ]
