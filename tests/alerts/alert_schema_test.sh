#!/usr/bin/env bash
# The alert schema (docs/alert.schema.json) and the OCSF subset
# (docs/ocsf-detection-finding.schema.json) validate what vigie scan writes; the validator
# itself refuses broken alerts; alert ids are stable from run to run.
# Usage: alert_schema_test.sh VIGIE SOURCE_DIR
set -u
vigie=$1
src=$2
. "$src/tests/support/check_lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
validate() { python3 "$src/tests/alerts/validate_alerts.py" "$@"; }

win=("$src/samples/windows-sysmon.ndjson" "$src/samples/windows-security.ndjson")
"$vigie" scan --rules "$src/rules" --mapping windows --format jsonl "${win[@]}" > "$work/a1" 2>/dev/null
"$vigie" scan --rules "$src/rules" --mapping windows --format jsonl --threads 1 "${win[@]}" > "$work/a2" 2>/dev/null
"$vigie" scan --rules "$src/rules" --mapping flat --format jsonl "$src/samples/linux-cloud.ndjson" > "$work/l1" 2>/dev/null
"$vigie" scan --rules "$src/rules" --mapping windows --alert-format ocsf "${win[@]}" > "$work/o1" 2>/dev/null
"$vigie" scan --rules "$src/rules" --mapping flat --format ocsf "$src/samples/linux-cloud.ndjson" > "$work/o2" 2>/dev/null

check "jsonl alerts (windows + linux) validate against alert.schema.json" \
  validate "$src/docs/alert.schema.json" "$work/a1" "$work/l1" --min 20
check "OCSF alerts validate against the OCSF Detection Finding schema" \
  validate "$src/docs/ocsf-detection-finding.schema.json" "$work/o1" "$work/o2" --min 20
uids() { grep -o '"uid":"[0-9a-f]*"' "$1" | sort; }
check "alert ids are the same on another run (1 thread)" cmp -s <(uids "$work/a1") <(uids "$work/a2")
check "alert ids are distinct" equals "$(uids "$work/a1" | uniq -d | wc -l)" 0
check "OCSF and jsonl give the same ids" \
  cmp -s <(uids "$work/a1" | sort) <(grep -o '"finding_info":{"uid":"[0-9a-f]*"' "$work/o1" | sed 's/.*"uid"/"uid"/' | sort)
check "Windows alerts carry the event time and host" \
  equals "$(grep -c '"start_time":[0-9]*,"end_time"' "$work/a1")" "$(wc -l < "$work/a1")"
check "Windows alerts carry the host" \
  equals "$(grep -c '"device":{"hostname":"' "$work/a1")" "$(wc -l < "$work/a1")"
check "techniques come from the tags" has "$work/a1" '"techniques":["T'
check "what matched names selections and values" has "$work/a1" '"matched":[{"selection":"'

# The validator must be able to fail: alerts broken in three ways.
head -n 1 "$work/a1" | sed 's/"id":"[^"]*",//' > "$work/broken"
head -n 1 "$work/a1" | sed 's/"severity_id":[0-9]/"severity_id":9/' >> "$work/broken"
head -n 1 "$work/a1" | sed 's/"schema_version":"1.0"/"schema_version":"2.0"/' >> "$work/broken"
validate "$src/docs/alert.schema.json" "$work/broken" > "$work/broken.out"
check "broken alerts are refused" equals "$?" 1
check "each broken alert is reported" equals "$(grep -c 'broken:[123]:' "$work/broken.out")" 3
head -n 1 "$work/o1" | sed 's/"class_uid":2004/"class_uid":2001/' > "$work/broken-ocsf"
check "a non-2004 class is refused" \
  bash -c "! python3 '$src/tests/alerts/validate_alerts.py' '$src/docs/ocsf-detection-finding.schema.json' '$work/broken-ocsf' > /dev/null"

echo "alert_schema: $pass checks passed, $failures failed"
[ "$failures" -eq 0 ]
