#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Threat indicators matched on every event by `vigie scan --indicators`: a domain (case
# and final dot ignored), an IP inside a CIDR, a SHA-256 inside Sysmon's Hashes list; an
# expired and a revoked indicator never fire; a broken pattern is refused with its place;
# a pattern outside the per-event subset is stored and reported, never silently matched.
# The alerts validate against docs/alert.schema.json and carry the indicator's TLP.
set -u
vigie=$1
source_dir=$2
here=$(dirname "$0")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$here/../support/check_lib.sh"
mkdir "$work/rules"

run_scan() {
  "$vigie" scan --rules "$work/rules" --format jsonl "$@" >"$work/alerts.jsonl" 2>"$work/stderr"
}

run_scan --indicators "$here/bundle.json" "$here/events.ndjson"
check "scan exits 0" equals "$?" 0
ids=$(python3 -c '
import json,sys
for line in open(sys.argv[1]):
    a=json.loads(line); print(a["source"]["line"], a["indicator"]["id"][-4:], a["indicator"]["tlp"], a["matched"][0]["fields"][0]["name"])
' "$work/alerts.jsonl")
check "three alerts: the domain, the network, the hash; none for expired, revoked, other IP" \
  equals "$ids" "1 0001 TLP:GREEN QueryName
2 0002 TLP:AMBER DestinationIp
3 0003 TLP:RED Hashes"
check "the broken pattern is refused at its object's line and column" \
  has "$work/stderr" "bundle.json:30:5: rule indicator--a1b2c3d4-0006-4000-8000-000000000006: pattern: column 40: expected ']'"
check "FOLLOWEDBY is stored but reported as not matched per event" \
  has "$work/stderr" "indicator--a1b2c3d4-0007-4000-8000-000000000007: stored, not matched per event: column 39: FOLLOWEDBY"
check "the import is summarised" \
  has "$work/stderr" "7 objects, 6 indicators (6 new, 0 updated, 0 already known, 1 not matched per event), 1 refused"
check "alerts validate against the alert schema" \
  python3 "$source_dir/tests/alerts/validate_alerts.py" "$source_dir/docs/alert.schema.json" "$work/alerts.jsonl"

# A persistent store: a second run without the bundle still matches, and re-importing the
# same bundle changes nothing.
run_scan --indicator-store "$work/ioc.sqlite" --indicators "$here/bundle.json" "$here/events.ndjson"
check "first run into the store: exit 0" equals "$?" 0
check "first run into the store" equals "$(wc -l <"$work/alerts.jsonl")" 3
run_scan --indicator-store "$work/ioc.sqlite" "$here/events.ndjson"
check "the store alone: exit 0" equals "$?" 0
check "the store alone matches after a restart" equals "$(wc -l <"$work/alerts.jsonl")" 3
run_scan --indicator-store "$work/ioc.sqlite" --indicators "$here/bundle.json" "$here/events.ndjson"
check "a re-import: exit 0" equals "$?" 0
check "a re-import is all already known" has "$work/stderr" "(0 new, 0 updated, 6 already known"

# A newer version revokes the domain: it stops matching.
sed -e 's/"modified": "2026-11-30T09:00:00.000Z",/"modified": "2026-12-01T09:00:00.000Z", "revoked": true,/' \
  "$here/bundle.json" >"$work/revoked.json"
run_scan --indicator-store "$work/ioc.sqlite" --indicators "$work/revoked.json" "$here/events.ndjson"
check "the revoking run: exit 0" equals "$?" 0
check "the revoking versions are imported as updates" has "$work/stderr" "(0 new, 4 updated, 2 already known"
# No alert because nothing matched, not because nothing was read.
check "the revoking run still reads every event" has "$work/stderr" "7 events read, 0 rejected, 0 alerts"
check "revocation stops every match" equals "$(wc -l <"$work/alerts.jsonl")" 0

echo "scan_indicators: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
