#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Hardening item 15a: `vigie scan --indicators BUNDLE` matches only the newest version of
# each indicator. A bundle holding two versions of one indicator (either order) gives one
# alert, naming the newest version; a bundle whose newest version is revoked gives none;
# the --indicator-store path agrees.
set -u
vigie=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/../support/check_lib.sh"
mkdir "$work/rules"

id=indicator--a15a0000-0000-4000-8000-000000000001
version() {  # version MODIFIED NAME [EXTRA]
  printf '{"type":"indicator","spec_version":"2.1","id":"%s","created":"2026-01-01T00:00:00.000Z","modified":"%s","name":"%s","pattern_type":"stix","pattern":"[domain-name:value = '"'"'twice.example'"'"']","valid_from":"2026-01-01T00:00:00Z"%s}' \
    "$id" "$1" "$2" "${3:-}"
}
bundle() { printf '{"type":"bundle","id":"bundle--a15a0000-0000-4000-8000-000000000000","objects":[%s]}\n' "$1"; }
v1=$(version 2026-01-01T00:00:00.000Z "version one")
v2=$(version 2026-02-01T00:00:00.000Z "version two")
bundle "$v1,$v2" > "$work/old-first.json"
bundle "$v2,$v1" > "$work/new-first.json"
bundle "$v1,$(version 2026-03-01T00:00:00.000Z "revoked" ',"revoked":true')" > "$work/revoked.json"
printf '{"Event":{"System":{"EventID":22,"Computer":"ws-1"},"EventData":{"QueryName":"twice.example"}}}\n' \
  > "$work/events.ndjson"

scan() {  # and checks it read the event: "no alert" must mean no match, not no scan
  "$vigie" scan --rules "$work/rules" --format jsonl "$@" "$work/events.ndjson" > "$work/alerts.jsonl" 2> "$work/stderr"
  check "scan $* exits 0" equals "$?" 0
  check "scan $* reads the event" has "$work/stderr" "1 events read, 0 rejected"
}
names() { python3 -c '
import json, sys
print(",".join(json.loads(l)["indicator"].get("name", "-") for l in open(sys.argv[1])))' "$work/alerts.jsonl"; }

scan --indicators "$work/old-first.json"
check "two versions, oldest first: one alert, the newest version" equals "$(names)" "version two"
scan --indicators "$work/new-first.json"
check "two versions, newest first: one alert, the newest version" equals "$(names)" "version two"
scan --indicators "$work/revoked.json"
check "newest version revoked: no alert" equals "$(names)" ""
bundle "$v1" > "$work/v1.json"
bundle "$v2" > "$work/v2.json"
scan --indicators "$work/v1.json" --indicators "$work/v2.json"
check "two bundles, one version each: one alert" equals "$(names)" "version two"
scan --indicators "$work/old-first.json" --indicator-store "$work/store.sqlite"
check "with --indicator-store: one alert" equals "$(names)" "version two"
scan --indicator-store "$work/store.sqlite"
check "the store alone, reopened: one alert" equals "$(names)" "version two"

echo "item 15a (newest version only): $pass checks passed, $failures failed"
[ "$failures" -eq 0 ]
