#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Sightings recorded shortly before SIGTERM reach their peer (review of issue 19's serve
# changes). ServeIndicators makes one last flush of its sightings when it stops; that flush
# publishes through the federation's publisher. vigie serve stopped (and freed) the
# federation before the indicators, so the last flush ran on a freed publisher: the
# sightings of the last interval were lost (or worse, a use after free). Here B's flush
# interval is an hour, so the only flush is the one at stop: A must hold B's sighting once
# B has exited 0.
# Usage: sightings_at_stop_test.sh VIGIE SOURCE_DIR
set -u
vigie=$1
source_dir=$2
here="$source_dir/tests/federation"
. "$source_dir/tests/serve/serve_lib.sh"

printf 'b-amber-token' > "$work/b-amber-token"
config() {
  cat "$@" | sed -e "s|@WORK@|$work|g" -e "s|@HERE@|$here|g" -e "s|@SOURCE@|$source_dir|g" \
    -e "s|@PORT_A@|${HTTP_A:-0}|g"
}
ind2=indicator--a0000000-0000-4000-8000-000000000002

config "$here/a.yaml" > "$work/a.yaml"
start_serve A "$work/a.yaml" || exit 1
config "$here/b-common.yaml" "$here/b-federation-amber.yaml" |
  sed 's|sightings_interval_seconds: 1$|sightings_interval_seconds: 3600|' > "$work/b.yaml"
check "B flushes its sightings once an hour" has "$work/b.yaml" "sightings_interval_seconds: 3600"
start_serve B "$work/b.yaml" || exit 1
check "B polled A as cert-a-amber" wait_until 20 log_has "$work/B.log" \
  '"msg":"federation: polled","peer":"cert-a-amber"'

# A Sysmon DNS query for A's AMBER domain: an alert on A's indicator, a sighting recorded.
printf '{"Event":{"System":{"EventID":22,"Computer":"stop-host"},"EventData":{"QueryName":"amber.cert-a.example"}}}\n' \
  > "$work/event.ndjson"
check "B takes the event" equals "$(post "$HTTP_B" hospital-token "$work/event.ndjson")" 200
check "B alerted on A's AMBER indicator" wait_until 10 log_has "$work/b-alerts.jsonl" "$ind2"

stop_serve B
check "B exits 0 after SIGTERM (got $STATUS)" equals "$STATUS" 0
check "B says nothing of a fatal signal" bash -c "! grep -q 'fatal signal' '$work/B.log'"

sightings_in_a() {
  curl -s -H 'Authorization: Bearer b-amber-token' -H 'Accept: application/taxii+json;version=2.1' \
    "http://127.0.0.1:$HTTP_A/api1/collections/5e1f7a2b-9c3d-4e5f-8a6b-7c8d9e0f1a2b/objects/" |
    python3 -c '
import json, sys
for o in json.load(sys.stdin).get("objects", []):
    if o.get("type") == "sighting":
        print(o["sighting_of_ref"])
' 2>/dev/null | sort -u
}
# B has exited: its last flush is over, so A holds the sighting now or never.
check "A holds B's sighting, sent by B's last flush at stop" equals "$(sightings_in_a)" "$ind2"
if [ $failures -ne 0 ]; then echo "--- B's log:"; tail -n 30 "$work/B.log"; fi

stop_serve A
check "A exits 0" equals "$STATUS" 0
echo "$pass passed, $failures failed"
[ $failures -eq 0 ]
