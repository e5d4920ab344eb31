#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Hardening item 5: a revocation reaches the peers that received a version, and nothing
# else of the withheld version does. CERT-A (vigie serve) serves a GREEN indicator; CERT-B
# (vigie serve) polls it as a GREEN-only peer and alerts on it. A's owner then posts
# version 2: TLP:RED, revoked, with a RED description. B must learn the revocation at its
# next poll (the last version it could see, revoked, with version 2's modified) and stop
# matching; it never receives version 2's marking or description. A peer that never saw a
# version (an object RED from the start, then revoked) learns nothing. `vigie indicators
# export` to a GREEN receiver does the same.
set -u
vigie=$1
source_dir=$2
. "$source_dir/tests/serve/serve_lib.sh"

collection=6b3f0b52-2c1e-4f0a-9d47-1a2b3c4d5e65
media='application/taxii+json;version=2.1'
green=marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb
red=marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1
ind() { printf 'indicator--a5000000-0000-4000-8000-%012d' "$1"; }
# indicator N DOMAIN MARKING MODIFIED [EXTRA]
indicator() {
  printf '{"type":"indicator","spec_version":"2.1","id":"%s","created":"2026-01-01T00:00:00.000Z","modified":"%s","name":"indicator %s","pattern_type":"stix","pattern":"[domain-name:value = '"'"'%s'"'"']","valid_from":"2026-01-01T00:00:00Z","object_marking_refs":["%s"]%s}' \
    "$(ind "$1")" "$4" "$1" "$2" "$3" "${5:-}"
}
printf '{"type":"bundle","id":"bundle--a5000000-0000-4000-8000-000000000000","objects":[%s,%s]}\n' \
  "$(indicator 1 revoked.example "$green" 2026-01-01T00:00:00.000Z)" \
  "$(indicator 2 sentinel.example "$green" 2026-01-01T00:00:00.000Z)" > "$work/seed.json"

cat > "$work/a.yaml" <<YAML
$(cert_a_config "$collection" "$work/seed.json")
    - id: owner
      token_sha256: $(digest owner-token)
      tlp_amber: true
      collections: [{id: $collection, read: true, write: true}]
YAML
start_serve A "$work/a.yaml" || exit 1

cert_b_config "$collection" > "$work/b.yaml"
start_serve B "$work/b.yaml" || exit 1

# wait_for FILE TEXT: true once TEXT is in FILE (20 s at most).
wait_for() {
  wait_until 20 log_has "$1" "$2" || { echo "  not found in $1: $2"; return 1; }
}
sent=0
# send DOMAIN: one event for DOMAIN and one for the sentinel, waited for (alerts are in order).
send() {
  sent=$((sent + 1))
  {
    printf '{"Event":{"System":{"EventID":22,"Computer":"host-%s"},"EventData":{"QueryName":"%s"}}}\n' "$sent" "$1"
    printf '{"Event":{"System":{"EventID":22,"Computer":"sentinel-%s"},"EventData":{"QueryName":"sentinel.example"}}}\n' "$sent"
  } > "$work/events.ndjson"
  check "B takes the events ($sent)" equals "$(post "$HTTP_B" hospital-token "$work/events.ndjson")" 200
  check "B evaluated them (sentinel $sent)" wait_for "$work/b-alerts.jsonl" "sentinel-$sent"
}
alerted() { grep -F "\"host-$1\"" "$work/b-alerts.jsonl" | grep -c "$(ind 1)"; }

check "B polled A" wait_for "$work/B.log" '"objects":2'
send revoked.example
check "version 1 (GREEN): B alerts" equals "$(alerted 1)" 1

# Version 2: RED, revoked, with a RED description; and an object RED from the start.
{
  printf '{"objects":[%s,%s]}' \
    "$(indicator 1 revoked.example "$red" 2026-02-01T00:00:00.000Z ',"revoked":true,"description":"RED-ONLY-DESCRIPTION"')" \
    "$(indicator 3 never-seen.example "$red" 2026-02-01T00:00:00.000Z ',"revoked":true')"
} > "$work/v2.json"
code=$(curl -s -o "$work/status.json" -w '%{http_code}' -H "Accept: $media" -H "Content-Type: $media" \
  -H 'Authorization: Bearer owner-token' --data-binary @"$work/v2.json" \
  "http://127.0.0.1:$HTTP_A/api1/collections/$collection/objects/")
check "the owner posts version 2" equals "$code" 202

# What the GREEN peer is served: the revocation of what it saw, nothing of version 2.
code=$(curl -s -o "$work/served.json" -w '%{http_code}' -H "Accept: $media" -H 'Authorization: Bearer green-token' \
  "http://127.0.0.1:$HTTP_A/api1/collections/$collection/objects/$(ind 1)/")
check "the GREEN peer still gets the object" equals "$code" 200
check "served: revoked" has "$work/served.json" '"revoked":true'
check "served: version 2's modified" has "$work/served.json" '"modified":"2026-02-01T00:00:00.000000Z"'
check "served: version 1's GREEN marking" has "$work/served.json" "$green"
check "served: never version 2's RED marking" bash -c "! grep -qF '$red' '$work/served.json'"
check "served: never version 2's description" bash -c "! grep -qF RED-ONLY '$work/served.json'"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Accept: $media" -H 'Authorization: Bearer green-token' \
  "http://127.0.0.1:$HTTP_A/api1/collections/$collection/objects/$(ind 3)/")
check "an object the peer never saw a version of stays absent" equals "$code" 404

check "B polled the revocation" wait_for "$work/B.log" '"msg":"federation: polled","peer":"cert-a","pages":1,"objects":1'
check "B's store took it as an update" wait_for "$work/B.log" '"updated":1'
send revoked.example
check "after the revocation: no alert from B" equals "$(alerted 2)" 0
stop_serve B
check "B exits 0" equals "$STATUS" 0
check "B kept its indicator store" test -s "$work/b-indicators.sqlite"
check "B never holds version 2's description" \
  bash -c "! cat '$work'/b-indicators.sqlite* | grep -qaF RED-ONLY"
check "B never holds the object it never saw" \
  bash -c "! cat '$work'/b-indicators.sqlite* | grep -qaF '$(ind 3)'"

# B restarted from its store: the revocation holds (the store's current version is revoked).
start_serve B "$work/b.yaml" || exit 1
send revoked.example
check "after B's restart: still no alert" equals "$(alerted 3)" 0
stop_serve B
check "B (restarted) exits 0" equals "$STATUS" 0
stop_serve A
check "A exits 0" equals "$STATUS" 0

# vigie indicators export: a receiver of an earlier export gets the revocation the same way.
printf '{"objects":[%s]}' "$(indicator 1 revoked.example "$green" 2026-01-01T00:00:00.000Z)" > "$work/v1.json"
"$vigie" indicators import --store "$work/x.sqlite" --stix "$work/v1.json" --stix "$work/v2.json" 2> /dev/null
check "import of both versions exits 0" equals "$?" 0
"$vigie" indicators export --store "$work/x.sqlite" > "$work/export.json" 2> "$work/export.log"
check "export exits 0" equals "$?" 0
check "export: the revocation goes as the GREEN version, revoked" python3 -c '
import json, sys
objects = json.load(open(sys.argv[1]))["objects"]
assert len(objects) == 1, objects
o = objects[0]
assert o["revoked"] is True and o["modified"].startswith("2026-02-01T00:00:00"), o
assert o["object_marking_refs"] == ["'$green'"], o
assert "description" not in o, o
' "$work/export.json"
check "export: says so" has "$work/export.log" "1 of them sent as the revocation"

echo "item 5 (revocations reach peers): $pass checks passed, $failures failed"
[ "$failures" -eq 0 ]
