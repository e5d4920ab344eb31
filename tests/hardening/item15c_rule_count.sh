#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Hardening item 15c: vigie serve logged 14 rules loaded where /readyz said 12. One count,
# explained: a real vigie serve on the project's 14 rules under the windows mapping (the
# Linux and cloud rules compile but are inactive) logs, answers /readyz, /metrics and a
# reload with the same number in use, and names the inactive ones.
# Usage: item15c_rule_count.sh VIGIE SOURCE_DIR
set -u
vigie=$1
source_dir=$2
. "$source_dir/tests/serve/serve_lib.sh"

cp -r "$source_dir/rules" "$work/rules"
read_rules=$(find "$work/rules" -name '*.yml' -not -path '*/mappings/*' | wc -l)
cat > "$work/vigie.yaml" <<YML
rules:
  paths: [$work/rules]
  mapping: windows
  cache_dir: $work/cache
alerts: {output: $work/alerts.jsonl}
admin:
  token_sha256: $(digest admin-token)
YML
start_serve A "$work/vigie.yaml" || exit 1
log="$work/A.log"
grep '"msg":"rules loaded"\|"msg":"serving"' "$log"

ready=$(curl -s "http://127.0.0.1:$HTTP_A/readyz")
echo "readyz: $ready"
in_use=$(sed -nE 's/.*"rules":([0-9]+).*/\1/p' <<<"$ready")
inactive=$(sed -nE 's/.*"rules_inactive":([0-9]+).*/\1/p' <<<"$ready")
check "the rules folder has more rules than the windows mapping runs" test "$read_rules" -gt "$in_use"
check "readyz: read = in use + inactive" equals "$((in_use + inactive))" "$read_rules"
check "serving line: the same count as readyz" \
  has "$log" "\"rules\":$in_use,\"rules_inactive\":$inactive,"
check "rules loaded: one summary naming the difference" \
  has "$log" "\"summary\":\"$read_rules rules read, $in_use in use, $inactive inactive (their logsource's product is not covered by the mapping)\""
check "each inactive rule is named" \
  equals "$(grep -c '"msg":"rule inactive: its logsource.s product is not covered by the mapping"' "$log")" "$inactive"
check "the Linux rule is one of them" has "$log" '"product":"linux"'
metric=$(curl -s "http://127.0.0.1:$METRICS_A/metrics" | sed -nE 's/^vigie_rules_loaded ([0-9]+).*/\1/p')
check "metrics: the same count" equals "$metric" "$in_use"
code=$(curl -s -o "$work/reload" -w '%{http_code}' -X POST -H "Authorization: Bearer admin-token" \
  "http://127.0.0.1:$HTTP_A/v1/admin/reload")
check "reload: 200" equals "$code" 200
check "reload answer: the same count" has "$work/reload" "\"rules\":$in_use,\"rules_inactive\":$inactive,"
stop_serve A
check "serve stops cleanly" equals "$STATUS" 0
echo "$pass passed, $failures failed"
[ $failures -eq 0 ]
