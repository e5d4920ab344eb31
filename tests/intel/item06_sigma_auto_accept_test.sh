#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Issue 19 item 6, `indicators.sigma_auto_accept` in vigie serve: Sigma rules received as
# indicators (pattern_type sigma) from a source listed there are written into
# sigma_rules_dir and the rules reloaded, so they fire on the next events; from any other
# source they are held (`vigie rules pending`) and never fire; a listed source still cannot
# write over a local rule's id. Sources: two TAXII peers posting into a collection
# (`trusted` listed, `untrusted` not) and two bundles imported at start (one listed by its
# path, one not). An accepted rule keeps its indicator's TLP as a tag (tlp:red), so a
# webhook leaving the organisation never gets the alerts of a rule that came as TLP:RED.
# Usage: item06_sigma_auto_accept_test.sh VIGIE SOURCE_DIR
set -u
vigie=$1
src=$2
. "$src/tests/serve/serve_lib.sh"
. "$src/tests/intel/intel_lib.sh"
token=intel-sigma-token
collection=3c1d0f6e-4b2a-4e8f-9a7b-5c6d7e8f9a0b
media='application/taxii+json;version=2.1'

# sigma_indicator N TITLE RULE_ID MARKER [MARKING]: a STIX indicator carrying a Sigma rule
# that fires on a CommandLine containing MARKER; TLP:GREEN unless MARKING (an id) is given.
sigma_indicator() {
  python3 - "$@" <<'PY'
import json, sys
n, title, rule_id, marker = sys.argv[1:5]
marking = sys.argv[5] if len(sys.argv) > 5 else "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
rule = ("title: %s\nid: %s\nstatus: test\nlevel: high\nlogsource: {product: windows}\n"
        "detection:\n  sel:\n    CommandLine|contains: '%s'\n  condition: sel\n") % (title, rule_id, marker)
print(json.dumps({"type": "indicator", "spec_version": "2.1",
  "id": "indicator--5161a000-0000-4000-8000-%012d" % int(n),
  "created": "2026-11-30T09:00:00.000Z", "modified": "2026-11-30T09:00:00.000Z",
  "name": title, "pattern_type": "sigma", "pattern": rule, "valid_from": "2026-11-30T09:00:00Z",
  "object_marking_refs": [marking]}))
PY
}
bundle() { printf '{"type":"bundle","id":"bundle--5161a000-0000-4000-8000-0000000000%s","objects":[%s]}\n' "$1" "$2"; }
envelope() { printf '{"objects":[%s]}\n' "$1"; }
rule_id() { printf '5161a000-0000-4000-8000-%012d' "$1"; }

mkdir -p "$work/rules/local" "$work/rules/federation"
cat >"$work/rules/local/local.yml" <<YML
title: Local rule
id: $(rule_id 99)
status: test
level: medium
logsource: {product: windows}
detection:
  sel:
    CommandLine|contains: local-marker
  condition: sel
YML
bundle 01 "$(sigma_indicator 1 'From the listed bundle' "$(rule_id 1)" start-listed-marker)" >"$work/listed.json"
bundle 02 "$(sigma_indicator 2 'From the unlisted bundle' "$(rule_id 2)" start-unlisted-marker)" >"$work/unlisted.json"
start_receiver webhook hook || exit 1
cat >"$work/serve.yaml" <<YAML
rules: {paths: [$work/rules/local, $work/rules/federation], mapping: flat, cache_dir: $work/cache}
indicators:
  enabled: true
  store: $work/indicators.sqlite
  bundles: [$work/listed.json, $work/unlisted.json]
  sigma_auto_accept: [trusted, $work/listed.json]
  sigma_rules_dir: $work/rules/federation
alerts:
  outputs:
    - {name: all, type: file, path: $work/alerts.jsonl}
    - {name: hook, type: webhook, url: "http://127.0.0.1:$PORT_hook/", secret_env: HOOK_SECRET,
       retry_initial_ms: 50, retry_max_ms: 500}
spool: {directory: $work/spool}
taxii:
  enabled: true
  store: $work/taxii.sqlite
  api_roots: [{path: api1, title: Intel test}]
  collections: [{id: $collection, title: Indicators}]
  peers:
    - id: trusted
      token_sha256: $(digest trusted-token)
      collections: [{id: $collection, read: true, write: true}]
    - id: untrusted
      token_sha256: $(digest untrusted-token)
      collections: [{id: $collection, read: true, write: true}]
agencies:
  - {id: demo, token_sha256: $(digest "$token")}
YAML
HOOK_SECRET=s3cret start_serve v "$work/serve.yaml" || exit 1
reloads_at_least() { [ "$(grep -c '"msg":"reloaded"' "$work/v.log")" -ge "$1" ]; }

# taxii_post PEER_TOKEN OBJECTS: the status of a POST of the objects into the collection.
taxii_post() {
  envelope "$2" >"$work/envelope.json"
  curl -s -o "$work/taxii.body" -w '%{http_code}' -X POST -H "Accept: $media" -H "Content-Type: $media" \
    --max-time 30 -H "Authorization: Bearer $1" --data-binary @"$work/envelope.json" \
    "http://127.0.0.1:$HTTP_v/api1/collections/$collection/objects/"
}
# fired MARKER: posts one event with MARKER in its command line; the rule ids that fired.
fired() {
  local n
  n=$(date +%s%N)  # tells this event's alerts from an earlier one's
  printf '{"Image":"C:\\\\x.exe","CommandLine":"run %s %d"}\n' "$1" "$n" >"$work/event.ndjson"
  [ "$(post "$HTTP_v" "$token" "$work/event.ndjson" --max-time 30)" = 200 ] || { echo "POST refused"; return; }
  grep "run $1 $n\"" "$work/alerts.jsonl" 2>/dev/null | grep -o '"rule":{"id":"[^"]*"' | cut -d'"' -f6 | sort | tr '\n' ' '
}

# Bundles imported at start.
check "start: the listed bundle's rule is accepted" \
  grep -q "\"msg\":\"Sigma rule from a peer accepted\",\"source\":\"$work/listed.json\"" "$work/v.log"
check "start: ... written into sigma_rules_dir" test -s "$work/rules/federation/$(rule_id 1).yml"
check "start: the unlisted bundle's rule is not written" test ! -e "$work/rules/federation/$(rule_id 2).yml"
check "start: the rules are reloaded once the engine is up" wait_until 20 reloads_at_least 1
check "start: the listed bundle's rule fires" equals "$(fired start-listed-marker)" "$(rule_id 1) "
check "start: the unlisted bundle's rule never fires" equals "$(fired start-unlisted-marker)" ""

# A listed TAXII peer: accepted, the rules reloaded, the rule fires.
check "trusted peer: POST accepted" equals "$(taxii_post trusted-token "$(sigma_indicator 3 'From trusted' "$(rule_id 3)" peer-one-marker)")" 202
check "trusted peer: its rule is accepted" \
  wait_until 20 log_has "$work/v.log" "\"msg\":\"Sigma rule from a peer accepted\",\"source\":\"trusted\""
check "trusted peer: the rules are reloaded" wait_until 20 reloads_at_least 2
check "trusted peer: the rule fires on the next event" equals "$(fired peer-one-marker)" "$(rule_id 3) "
# A listed peer sending a rule with a local rule's id: not written over it.
check "trusted peer: POST of a clash accepted" equals "$(taxii_post trusted-token "$(sigma_indicator 4 'Clash' "$(rule_id 99)" clash-marker)")" 202
check "trusted peer: a rule with a local rule's id is not accepted" \
  wait_until 20 log_has "$work/v.log" "already exists locally in $work/rules/local/local.yml"
check "trusted peer: the local rule is intact" grep -q 'CommandLine|contains: local-marker' "$work/rules/local/local.yml"
check "trusted peer: the peer's version never fires" equals "$(fired clash-marker)" ""
check "the local rule still fires" equals "$(fired local-marker)" "$(rule_id 99) "
# A listed peer's rule marked TLP:RED: accepted and fires, its alerts stay inside.
red=marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1
check "trusted peer: POST of a RED rule accepted" \
  equals "$(taxii_post trusted-token "$(sigma_indicator 6 'Red from trusted' "$(rule_id 6)" peer-red-marker "$red")")" 202
check "trusted peer: the RED rule is reloaded" wait_until 20 reloads_at_least 3
check "trusted peer: the RED rule is written with its TLP as a tag" \
  grep -qx '  - tlp:red' "$work/rules/federation/$(rule_id 6).yml"
check "trusted peer: the RED rule fires" equals "$(fired peer-red-marker)" "$(rule_id 6) "
check "its alert carries the tag tlp:red" \
  grep -q "\"id\":\"$(rule_id 6)\".*\"tags\":\[\"tlp:red\"\]" "$work/alerts.jsonl"
fired local-marker >/dev/null  # the webhook's sentinel: it forwards in order
check "webhook: the sentinel after the RED alert arrived" \
  wait_until 30 eval '[ "$(grep -c "$(rule_id 99)" "$work/hook.received" 2>/dev/null)" -ge 2 ]'
check "webhook: the GREEN rules' alerts, with their tag" \
  grep -q "\"id\":\"$(rule_id 3)\".*\"tags\":\[\"tlp:green\"\]" "$work/hook.received"
check "webhook: never the RED rule's alert" bash -c "! grep -q '$(rule_id 6)' '$work/hook.received'"

# An unlisted TAXII peer: stored (the answer comes once it is imported), held, never fires.
check "untrusted peer: POST accepted" equals "$(taxii_post untrusted-token "$(sigma_indicator 5 'From untrusted' "$(rule_id 5)" peer-two-marker)")" 202
check "untrusted peer: imported" wait_until 20 log_has "$work/v.log" '"origin":"federation peer untrusted'
check "untrusted peer: its rule is not accepted" bash -c "! grep -q '\"source\":\"untrusted\"' '$work/v.log'"
check "untrusted peer: nothing written" test ! -e "$work/rules/federation/$(rule_id 5).yml"
check "untrusted peer: the rule never fires" equals "$(fired peer-two-marker)" ""
stop_serve v
check "exit 0 after SIGTERM" equals "$STATUS" 0
"$vigie" rules pending --store "$work/indicators.sqlite" --rules "$work/rules" >"$work/pending" 2>"$work/pending.err"
check "pending: the unlisted sources' rules wait for review" \
  bash -c "grep -q 'indicator--5161a000-0000-4000-8000-000000000002' '$work/pending' && grep -q 'indicator--5161a000-0000-4000-8000-000000000005' '$work/pending'"
check "pending: accepted rules are not listed" bash -c "! grep -Eq '0000000000(01|03|06) ' '$work/pending'"
[ "$failures" -eq 0 ] || { cat "$work/v.log" "$work/pending" "$work/pending.err"; }
echo "item06_sigma_auto_accept: $pass checks passed, $failures failed"
[ "$failures" -eq 0 ]
