#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# The alert schema (docs/alert.schema.json) validates what vigie scan writes as jsonl, and
# the official OCSF 1.1.0 definitions (tests/alerts/ocsf_validate.py reads them from
# $OCSF_SCHEMA_DIR, else ../shared/specs/ocsf-1.1.0) what it writes as OCSF; both validators
# refuse broken alerts; alert ids are stable from run to run.
# Exits 77 (skip) after the other checks when the OCSF definitions are absent.
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
check "item 5: OCSF alerts validate against the official OCSF 1.1.0 definitions" \
  validate_ocsf "$work/o1" "$work/o2" --min 20
# A host that is no hostname_t ("WS_01 (lab)") is the device's name, not an invalid hostname.
first_line=$(grep -m 1 -o '"source":{"file":"[^"]*windows-sysmon.ndjson","index":[0-9]*,"line":[0-9]*' "$work/o1")
sed -n "${first_line##*:}p" "$src/samples/windows-sysmon.ndjson" |
  sed 's/"Computer":"[^"]*"/"Computer":"WS_01 (lab)"/' > "$work/odd-host.ndjson"
"$vigie" scan --rules "$src/rules" --mapping windows --format ocsf "$work/odd-host.ndjson" > "$work/o3" 2>/dev/null
check "item 5: an odd host name gives a valid OCSF alert" validate_ocsf "$work/o3"
check "item 5: an odd host name is device.name" has "$work/o3" '"device":{"name":"WS_01 (lab)"'
hosts=(ws-01.corp.example WS1 host. -ws ws- a..b .a ÉCOLE-01 'w s' x_y)
for h in "${hosts[@]}"; do sed "s/\"Computer\":\"[^\"]*\"/\"Computer\":\"$h\"/" "$work/odd-host.ndjson"; done > "$work/hosts.ndjson"
"$vigie" scan --rules "$src/rules" --mapping windows --format ocsf --threads 1 "$work/hosts.ndjson" > "$work/o5" 2>/dev/null
check "item 5: hosts valid or not as hostname_t give valid OCSF alerts" validate_ocsf "$work/o5" --min ${#hosts[@]}
check "item 5: only the valid hostnames are device.hostname" equals \
  "$(grep -o '"device":{"[a-z]*":"[^"]*"' "$work/o5" | cut -d'"' -f4 | tr '\n' ' ')" \
  "hostname hostname name name name name name name name name "
# An alert over the 256 KiB bound is cut (unmapped.event_truncated, no evidences): still OCSF.
python3 -c 'import json, sys; e = json.loads(sys.stdin.read()); e["Event"]["EventData"]["Padding"] = "x" * 600000; print(json.dumps(e))' \
  < "$work/odd-host.ndjson" > "$work/big.ndjson"
"$vigie" scan --rules "$src/rules" --mapping windows --format ocsf "$work/big.ndjson" > "$work/o4" 2>/dev/null
check "item 5: a cut OCSF alert is marked cut" has "$work/o4" '"event_truncated":{"original_bytes":'
check "item 5: a cut OCSF alert is valid OCSF" validate_ocsf "$work/o4"
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
check "item 4: a blank or cut line is refused, not skipped" \
  bash -c "{ head -n 1 '$work/a1'; echo; head -n 1 '$work/a1' | cut -c 2-; } > '$work/cut' &&
           ! python3 '$src/tests/alerts/validate_alerts.py' '$src/docs/alert.schema.json' '$work/cut' > '$work/cut.out'"
check "item 4: each refused line is named" equals "$(grep -c 'cut:[23]: ' "$work/cut.out")" 2

# The OCSF validator must be able to fail: one alert broken per way, each named at its line
# with the attribute's path.
refused_ocsf() {  # refused_ocsf NAME SED-EXPRESSION EXPECTED-TEXT
  head -n 1 "$work/o1" | sed "$2" > "$work/$1"
  cmp -s <(head -n 1 "$work/o1") "$work/$1" && { echo "  $1: the edit changed nothing"; return 1; }
  python3 "$src/tests/alerts/ocsf_validate.py" "$work/$1" > "$work/$1.out"
  local status=$?
  [ "$status" -eq 77 ] && return 0  # no definitions: ocsf_unchecked is already set
  [ "$status" -eq 1 ] && grep -qF -- "$1:1: $3" "$work/$1.out" || { echo "  $1: exit $status"; cat "$work/$1.out"; return 1; }
}
check "item 5: a wrong type_uid is refused" refused_ocsf type_uid 's/"type_uid":200401/"type_uid":200402/' \
  "type_uid: 200402 is not class_uid * 100 + activity_id"
check "item 5: a missing required attribute (time) is refused" refused_ocsf no_time 's/"time":[0-9]*,//' \
  "time: required attribute of detection_finding missing"
check "item 5: a missing required attribute of an object is refused" refused_ocsf no_title \
  's/"title":"[^"]*",//' "finding_info.title: required attribute of finding_info missing"
check "item 5: an unknown attribute is refused" refused_ocsf unknown 's/"status":"New",/&"is_alert":true,/' \
  "is_alert: unknown attribute"
check "item 5: a value outside an enum is refused" refused_ocsf enum 's/"severity_id":[0-9]/"severity_id":7/' \
  "severity_id: 7 is not in the enum"
check "item 5: another class is refused" refused_ocsf class 's/"class_uid":2004/"class_uid":2001/' \
  "class_uid: 2001 is not in the enum (2004)"
check "item 5: a profile declared without its required attribute (action_id) is refused" \
  refused_ocsf profile 's/"metadata":{/&"profiles":["security_control"],/' \
  "action_id: required attribute of detection_finding missing"
check "item 5: a profile's attribute without the profile is refused" \
  refused_ocsf undeclared 's/"status":"New",/&"action_id":1,"action":"Allowed",/' \
  "action_id: attribute of profile 'security_control', which metadata.profiles does not declare"
# The same attributes with their profiles declared are valid (no false alarm on profiles).
head -n 1 "$work/o1" | sed -e 's/"metadata":{/&"profiles":["security_control","datetime","host"],/' \
  -e 's/"status":"New",/&"action_id":1,"action":"Allowed","disposition_id":19,"disposition":"Alert","time_dt":"2026-11-19T14:03:12.460Z","actor":{"user":{"name":"bob"}},/' \
  > "$work/profiles"
check "item 5: attributes of declared profiles are accepted" validate_ocsf "$work/profiles"
check "item 5: a wrong type is refused" refused_ocsf type 's/"count":1,/"count":"1",/' \
  "count: expected integer_t, got a string"

echo "alert_schema: $pass checks passed, $failures failed"
[ "$failures" -eq 0 ] || exit 1
[ -z "$ocsf_unchecked" ] || { echo "SKIP: the OCSF alerts were not checked (no OCSF definitions)"; exit 77; }
