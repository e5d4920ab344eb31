#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Several vigie serve workers on one NATS match the same indicators (indicators.
# share_over_nats): w1 imports a bundle at start and publishes it on the VIGIE_INDICATORS
# stream; w2, started after, replays the stream and matches w1's indicators; with both
# running, a newer bundle imported by w1 (restarted with it) reaches w2 live: a new domain
# matches on w2 and a revoked one stops matching there. Real nats-server, loopback only.
# Usage: indicator_sharing_test.sh VIGIE VIGIE_NATS_TOOL SOURCE_DIR
set -uo pipefail
VIGIE=$1 TOOL=$2 SOURCE=$3
. "$SOURCE/tests/nats/nats_lib.sh"
. "$SOURCE/tests/support/check_lib.sh"
test_setup
TOKEN=demo-token-change-me
export LOG_LEVEL=info  # the imports from another worker are logged at info

# with_indicators NAME [BUNDLE]: NAME's configuration with shared indicators.
with_indicators() {
    write_config "$1"
    cat >> "$WORK/$1.yaml" <<YAML
indicators:
  enabled: true
  store: $WORK/$1-indicators.sqlite
  share_over_nats: true
  bundles: [${2:-}]
YAML
}
http_port() { sed -n 's/^  listen: 127.0.0.1:\([0-9]*\)$/\1/p' "$WORK/$1.yaml" | head -1; }
# dns NAME DOMAIN: POSTs a DNS event for DOMAIN to NAME; prints the HTTP status.
dns() {
    printf '{"QueryName":"%s","host":"%s"}\n' "$2" "$2" |
        curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
            -H 'Content-Type: application/x-ndjson' --data-binary @- "http://127.0.0.1:$(http_port "$1")/v1/events"
}
# alerts_on NAME DOMAIN: how many indicator alerts NAME wrote on DOMAIN's events.
alerts_on() {
    { grep -F "\"QueryName\":\"$2\"" "$WORK/$1.alerts" 2>/dev/null || true; } |
        grep -cF '"indicator":{' || true
}
# alerted NAME DOMAIN [N]: waits (10 s at most) until NAME has N (default 1) indicator
# alerts on DOMAIN.
has_alerts() { [ "$(alerts_on "$1" "$2")" -ge "${3:-1}" ]; }
alerted() { wait_until 10 has_alerts "$@"; }
# imported_from_nats NAME: how many times NAME's log says it imported objects from another
# worker; imported NAME N: at least N times.
imported_from_nats() { grep -c 'another worker (NATS)' "$WORK/$1.log" || true; }
imported() { [ "$(imported_from_nats "$1")" -ge "$2" ]; }

start_nats
with_indicators w1 "$SOURCE/tests/indicators/bundle.json"
start_worker w1; W1=$LAST_PID; wait_port "$(http_port w1)" 20
with_indicators w2
start_worker w2; W2=$LAST_PID; wait_port "$(http_port w2)" 20
check "w2 takes an event" equals "$(dns w2 c2.morue.example)" 200
check "w2 matches w1's indicator (replayed from the stream)" alerted w2 c2.morue.example
check "w2 imported it from another worker" test "$(imported_from_nats w2)" -ge 1

# A newer version of the bundle: a new domain, and the first one revoked.
sed -e 's/c2.morue.example/new-c2.morue.example/' \
    -e 's/"modified": "2026-11-30T09:00:00.000Z",\(.*expired\)/&/' "$SOURCE/tests/indicators/bundle.json" |
    python3 -c '
import json, sys
b = json.load(sys.stdin)
for o in b["objects"]:
    if o["id"].endswith("0001"):
        o["modified"] = "2026-12-01T09:00:00.000Z"; o["revoked"] = True
        o["pattern"] = "[domain-name:value = '"'"'c2.morue.example'"'"']"
b["objects"].append({"type": "indicator", "spec_version": "2.1",
    "id": "indicator--a1b2c3d4-0008-4000-8000-000000000008", "created": "2026-12-01T09:00:00.000Z",
    "modified": "2026-12-01T09:00:00.000Z", "name": "New C2", "pattern_type": "stix",
    "pattern": "[domain-name:value = '"'"'fresh-c2.morue.example'"'"']", "valid_from": "2026-12-01T09:00:00Z"})
json.dump(b, sys.stdout)' > "$WORK/update.json"
stop_worker "$W1"
with_indicators w1 "$WORK/update.json"
start_worker w1; W1=$LAST_PID; wait_port "$(http_port w1)" 20
check "w2 (running) gets the new indicator live" wait_until 10 imported w2 2
check "w2 takes the events" equals "$(dns w2 fresh-c2.morue.example)" 200
check "w2 matches the new domain" alerted w2 fresh-c2.morue.example
before=$(grep -c '"QueryName":"c2.morue.example"' "$WORK/w2.alerts")
check "w2 takes the revoked domain's event" equals "$(dns w2 c2.morue.example)" 200
# A sentinel after it, on the new domain: w2 evaluates its events in order (one engine
# thread), so once the sentinel's alert is written the revoked domain's event was evaluated.
check "w2 takes a sentinel" equals "$(dns w2 fresh-c2.morue.example)" 200
check "w2 alerted on the sentinel" alerted w2 fresh-c2.morue.example 2
check "the revoked domain no longer matches on w2" \
    equals "$(grep -c '"QueryName":"c2.morue.example"' "$WORK/w2.alerts")" "$before"
stop_worker "$W1"
stop_worker "$W2"
echo "indicator_sharing: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
