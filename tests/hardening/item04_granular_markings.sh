#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Hardening item 4: TLP granular markings. CERT-A (a real vigie serve) serves a collection
# of GREEN indicators whose granular_markings put TLP:RED (or AMBER) on some properties.
# A GREEN-only peer (curl, then CERT-B: a second vigie serve polling A) never receives a
# property above its clearance, on every way out: objects, object by id, versions,
# match[version]=all, B's store and alerts; `vigie indicators export`; `vigie scan`'s
# alerts. Redaction: the marked property is removed, the rest is shared; an object that
# cannot go without it (its pattern) is withheld; a selector that does not resolve makes
# the object refused (fail closed).
set -u
vigie=$1
source_dir=$2
. "$source_dir/tests/serve/serve_lib.sh"

collection=6b3f0b52-2c1e-4f0a-9d47-1a2b3c4d5e60
media='application/taxii+json;version=2.1'
green=marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb
amber=marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421
red=marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1
ind() { printf 'indicator--a4000000-0000-4000-8000-%012d' "$1"; }

# ind N DOMAIN EXTRA: a GREEN indicator of DOMAIN with EXTRA properties (granular markings).
indicator() {
  printf '{"type":"indicator","spec_version":"2.1","id":"%s","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":"%s","pattern_type":"stix","pattern":"[domain-name:value = '"'"'%s'"'"']","valid_from":"2026-01-01T00:00:00Z","object_marking_refs":["%s"]%s}' \
    "$(ind "$1")" "${4:-indicator $1}" "$2" "$green" "$3"
}
{
  printf '{"type":"bundle","id":"bundle--a4000000-0000-4000-8000-000000000000","objects":[\n'
  indicator 1 one.granular.example ',"description":"SECRET-RED-DESCRIPTION","labels":["AMBER-LABEL"],"granular_markings":[{"marking_ref":"'$red'","selectors":["description"]},{"marking_ref":"'$amber'","selectors":["labels"]}]'
  printf ',\n'
  indicator 2 secret-pattern.example ',"granular_markings":[{"marking_ref":"'$red'","selectors":["pattern"]}]'
  printf ',\n'
  indicator 3 three.granular.example ',"kill_chain_phases":[{"kill_chain_name":"lockheed-martin-cyber-kill-chain","phase_name":"SECRET-RED-PHASE"}],"granular_markings":[{"marking_ref":"'$red'","selectors":["kill_chain_phases.[0].phase_name"]}]'
  printf ',\n'
  indicator 4 named.granular.example ',"confidence":85,"granular_markings":[{"marking_ref":"'$red'","selectors":["name","confidence"]}]' SECRET-RED-NAME
  printf ',\n'
  indicator 5 dangling.granular.example ',"granular_markings":[{"marking_ref":"'$red'","selectors":["description"]}]'
  printf '\n]}\n'
} > "$work/bundle.json"
python3 -m json.tool "$work/bundle.json" > /dev/null || { echo "FAIL: the test bundle is not JSON"; exit 1; }

cat > "$work/a.yaml" <<YAML
$(cert_a_config "$collection" "$work/bundle.json")
    - id: amber-peer
      token_sha256: $(digest amber-token)
      tlp_amber: true
      collections: [{id: $collection, read: true}]
YAML
start_serve A "$work/a.yaml" || exit 1
check "the seed refuses the object whose selector does not resolve (fail closed)" \
  has "$work/A.log" "selector 'description' does not resolve"

taxii() {  # taxii TOKEN PATH: status on stdout, body in $work/body (appended to $work/all)
  local status
  status=$(curl -sg -o "$work/body" -w '%{http_code}' -H "Accept: $media" \
    -H "Authorization: Bearer $1" "http://127.0.0.1:$HTTP_A$2")
  cat "$work/body" >> "$work/all-$1"
  echo >> "$work/all-$1"
  echo "$status"
}
objects="/api1/collections/$collection/objects/"
: > "$work/all-green-token"
check "GREEN peer: objects" equals "$(taxii green-token "$objects")" 200
check "GREEN peer: indicator 1 is shared" has "$work/body" "$(ind 1)"
check "GREEN peer: indicator 3 is shared" has "$work/body" "$(ind 3)"
check "GREEN peer: indicator 4 is shared" has "$work/body" "$(ind 4)"
check "GREEN peer: the object whose pattern is RED is withheld" bash -c "! grep -q $(ind 2) $work/body"
check "GREEN peer: the refused object is absent" bash -c "! grep -q $(ind 5) $work/body"
check "GREEN peer: indicator 1 by id" equals "$(taxii green-token "$objects$(ind 1)/")" 200
check "GREEN peer: indicator 2 by id is 404" equals "$(taxii green-token "$objects$(ind 2)/")" 404
check "GREEN peer: indicator 2 versions is 404" equals "$(taxii green-token "$objects$(ind 2)/versions/")" 404
check "GREEN peer: versions" equals "$(taxii green-token "$objects$(ind 1)/versions/")" 200
check "GREEN peer: all versions" equals "$(taxii green-token "$objects?match[version]=all")" 200
check "GREEN peer: manifest" equals "$(taxii green-token "/api1/collections/$collection/manifest/")" 200
check "GREEN peer: the manifest does not list indicator 2" bash -c "! grep -q $(ind 2) $work/body"
for secret in SECRET-RED-DESCRIPTION AMBER-LABEL SECRET-RED-PHASE SECRET-RED-NAME secret-pattern '"confidence"'; do
  check "GREEN peer never receives $secret" bash -c "! grep -qF -- '$secret' $work/all-green-token"
done
check "GREEN peer: indicator 1 by id, again" equals "$(taxii green-token "$objects$(ind 1)/")" 200
check "the GREEN peer's copy keeps the GREEN properties" has "$work/body" '"name":"indicator 1"'
check "no granular marking names what was removed" bash -c "! grep -q granular_markings $work/body"
check "GREEN peer: indicator 3 by id" equals "$(taxii green-token "$objects$(ind 3)/")" 200
check "a selector through a list removes the whole property" bash -c "! grep -q kill_chain_phases $work/body"
python3 - "$work/all-green-token" <<'PY' || { echo "FAIL: a served object is not valid JSON"; failures=$((failures + 1)); }
import json, sys
text = open(sys.argv[1]).read()
dec, pos = json.JSONDecoder(), 0
while pos < len(text):
    obj, pos = dec.raw_decode(text, pos)
    while pos < len(text) and text[pos].isspace():
        pos += 1
PY
: > "$work/all-amber-token"
check "AMBER peer: indicator 1 by id" equals "$(taxii amber-token "$objects$(ind 1)/")" 200
check "AMBER peer: receives the AMBER label" has "$work/body" "AMBER-LABEL"
check "AMBER peer: the AMBER marking is kept with it" has "$work/body" '"granular_markings":[{"marking_ref":"'$amber'","selectors":["labels"]}]'
check "AMBER peer: all versions" equals "$(taxii amber-token "$objects?match[version]=all")" 200
for secret in SECRET-RED-DESCRIPTION SECRET-RED-PHASE SECRET-RED-NAME secret-pattern; do
  check "AMBER peer never receives $secret" bash -c "! grep -qF -- '$secret' $work/all-amber-token"
done

# CERT-B, a second vigie serve polling A as the GREEN peer: what it stores and alerts on.
cert_b_config "$collection" > "$work/b.yaml"
start_serve B "$work/b.yaml" || exit 1
wait_until 10 log_has "$work/B.log" '"msg":"federation: polled"'
check "B polled A" has "$work/B.log" '"msg":"federation: polled","peer":"cert-a"'
check "B received 3 objects" has "$work/B.log" '"objects":3'
for d in one three named secret-pattern; do
  printf '{"Event":{"System":{"EventID":22,"Computer":"host-%s"},"EventData":{"QueryName":"%s.granular.example"}}}\n' "$d" "$d"
done > "$work/events.ndjson"
printf '{"Event":{"System":{"EventID":22,"Computer":"host-x"},"EventData":{"QueryName":"secret-pattern.example"}}}\n' >> "$work/events.ndjson"
# For B, a sentinel last (indicator 1 again): alerts are written in event order, so once its
# alert is there, a wrong alert on the withheld indicator 2 would be there too.
{ cat "$work/events.ndjson"
  printf '{"Event":{"System":{"EventID":22,"Computer":"host-sentinel"},"EventData":{"QueryName":"one.granular.example"}}}\n'
} > "$work/b-events.ndjson"
check "B takes the events" equals "$(post "$HTTP_B" hospital-token "$work/b-events.ndjson")" 200
check "B alerts on the sentinel" wait_until 10 log_has "$work/b-alerts.jsonl" host-sentinel
check "B alerts on the three indicators it received (and the sentinel)" \
  equals "$(grep -c '"indicator"' "$work/b-alerts.jsonl")" 4
check "B's alert on indicator 4 has no name" \
  bash -c "grep -F 'host-named' '$work/b-alerts.jsonl' | grep -qF 'Threat indicator: $(ind 4)'"
stop_serve B
check "B exits 0" equals "$STATUS" 0
check "B kept its indicator store" test -s "$work/b-indicators.sqlite"
for secret in SECRET-RED-DESCRIPTION AMBER-LABEL SECRET-RED-PHASE SECRET-RED-NAME secret-pattern; do
  check "B's store and alerts never hold $secret" \
    bash -c "! cat '$work'/b-indicators.sqlite* '$work/b-alerts.jsonl' | grep -qaF -- '$secret'"
done
stop_serve A
check "A exits 0" equals "$STATUS" 0

# vigie indicators export: the same rule for a bundle handed to a receiver.
"$vigie" indicators import --store "$work/x.sqlite" --stix "$work/bundle.json" 2> "$work/import.log"
check "import exits 0" equals "$?" 0
"$vigie" indicators export --store "$work/x.sqlite" > "$work/export.json" 2> "$work/export.log"
check "export exits 0" equals "$?" 0
check "export: 3 exported, the RED-pattern one withheld" has "$work/export.log" "3 indicators exported, 2 withheld"
for secret in SECRET-RED-DESCRIPTION AMBER-LABEL SECRET-RED-PHASE SECRET-RED-NAME secret-pattern; do
  check "export never holds $secret" bash -c "! grep -qF -- '$secret' '$work/export.json'"
done
"$vigie" indicators export --store "$work/x.sqlite" --amber > "$work/export-amber.json" 2> /dev/null
check "export --amber exits 0" equals "$?" 0
check "export --amber: the AMBER label goes" has "$work/export-amber.json" AMBER-LABEL
check "export --amber: never the RED description" bash -c "! grep -qF SECRET-RED '$work/export-amber.json'"
check "the export is a valid bundle" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/export.json"

# vigie scan: an alert (which may go to any output its TLP allows) never carries a property
# marked above the indicator's level.
mkdir -p "$work/rules"
"$vigie" scan --rules "$work/rules" --format jsonl --indicators "$work/bundle.json" "$work/events.ndjson" \
  > "$work/scan.jsonl" 2> "$work/scan.log"
check "scan exits 0" equals "$?" 0
check "scan: the GREEN-named indicators alert" equals "$(grep -c '"indicator"' "$work/scan.jsonl")" 4
check "scan: the RED name never appears in an alert" bash -c "! grep -qF SECRET-RED-NAME '$work/scan.jsonl'"
check "scan: the RED confidence never appears" bash -c "! grep -F 'host-named' '$work/scan.jsonl' | grep -qF '\"confidence\"'"
check "scan: the alert of the RED-pattern indicator is tagged RED" \
  bash -c "grep -F 'host-x' '$work/scan.jsonl' | grep -qF 'TLP:RED'"

echo "item 4 (granular markings): $pass checks passed, $failures failed"
[ "$failures" -eq 0 ]
