#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Federation of two vigie serve instances over TAXII 2.1, on loopback: CERT-A serves a
# collection (a GREEN, an AMBER, an AMBER+STRICT and a RED indicator); CERT-B polls it
# every second and matches what it received on its agencies' events. B, not cleared for
# AMBER, alerts on the GREEN domain only; polling as a peer cleared for AMBER it gets the
# AMBER one too, never AMBER+STRICT or RED. B's position survives its restart (nothing
# downloaded again). Hostile peers (garbage, a page over max_page_bytes, bad objects, an
# endless flood) are refused and reported while B goes on matching. Then over HTTPS with
# client certificates, and a secret file that cannot be read.
set -u
vigie=$1
source_dir=$2
here="$source_dir/tests/federation"
. "$source_dir/tests/serve/serve_lib.sh"

collection=6b3f0b52-2c1e-4f0a-9d47-1a2b3c4d5e6f
ind() { printf 'indicator--a0000000-0000-4000-8000-%012d' "$1"; }
printf 'b-password\n' > "$work/b-password"
printf 'b-amber-token' > "$work/b-amber-token"

# config TEMPLATE... > FILE: the templates joined, with the placeholders replaced.
config() {
  cat "$@" | sed -e "s|@WORK@|$work|g" -e "s|@HERE@|$here|g" -e "s|@SOURCE@|$source_dir|g" \
    -e "s|@PORT_A@|${HTTP_A:-0}|g" -e "s|@PORT_H@|${hostile_port:-0}|g"
}
# wait_for FILE TEXT [SECONDS]: true once TEXT is in FILE.
wait_for() {
  wait_until "${3:-20}" log_has "$1" "$2" && return 0
  echo "  not found in $1 after ${3:-20}s: $2"
  return 1
}
# answers_of METRICS_PORT: the HTTP answers a vigie has given (its metrics, refreshed every
# second); answered_more PORT N: more than N.
answers_of() {
  curl -s "http://127.0.0.1:$1/metrics" |
    sed -nE 's/^vigie_http_responses_total\{outcome="all"\} ([0-9.e+]+)$/\1/p' | awk '{printf "%d", $1}'
}
answered_more() { [ "$(answers_of "$1")" -gt "$2" ]; }
# dns_event DOMAIN HOST: a Sysmon DNS query (event 22) for DOMAIN, from HOST.
dns_event() {
  printf '{"Event":{"System":{"EventID":22,"Computer":"%s"},"EventData":{"QueryName":"%s"}}}\n' \
    "$2" "$1"
}
# alerts_for HOST: the indicator ids of B's alerts on events from HOST.
alerts_for() {
  python3 -c '
import json, sys
for line in open(sys.argv[1]):
    a = json.loads(line)
    if a.get("event", {}).get("Event", {}).get("System", {}).get("Computer") == sys.argv[2]:
        print(a.get("indicator", {}).get("id", "-"), a.get("indicator", {}).get("source", "-"))
' "$work/b-alerts.jsonl" "$1" 2>/dev/null | sort
}
sent=0
# send_to_b DOMAIN...: one event per domain, each from its own host; then a GREEN event
# from a sentinel host, waited for: alerts come in order, so once it is there the events
# before it were evaluated.
send_to_b() {
  : > "$work/events.ndjson"
  for d in "$@"; do dns_event "$d" "host-$sent-$d" >> "$work/events.ndjson"; done
  sent=$((sent + 1))
  dns_event green.cert-a.example "sentinel-$sent" >> "$work/events.ndjson"
  check "B takes the events" equals "$(post "$HTTP_B" hospital-token "$work/events.ndjson")" 200
  check "B evaluated them (sentinel $sent)" wait_for "$work/b-alerts.jsonl" "sentinel-$sent" 10
}
# polled_objects LOG PEER: the objects B's polls of PEER received, summed over LOG.
polled_objects() {
  grep '"msg":"federation: polled"' "$1" | grep -F "\"peer\":\"$2\"" |
    sed -nE 's/.*"objects":([0-9]+).*/\1/p' | awk '{s += $1} END {print s + 0}'
}

config "$here/a.yaml" > "$work/a.yaml"
start_serve A "$work/a.yaml" || exit 1
config "$here/b-common.yaml" "$here/b-federation.yaml" > "$work/b.yaml"
check "B's configuration is valid" "$vigie" config check "$work/b.yaml"
start_serve B "$work/b.yaml" || exit 1

# 1. B, not cleared for AMBER, receives the GREEN indicator only.
check "B polled A" wait_for "$work/B.log" '"msg":"federation: polled","peer":"cert-a"'
check "B received one object from A" equals "$(polled_objects "$work/B.log" cert-a)" 1
before=$(wc -l < "$work/B.log")
send_to_b green.cert-a.example amber.cert-a.example strict.cert-a.example red.cert-a.example
check "GREEN domain: an alert naming A's indicator, source cert-a" \
  equals "$(alerts_for host-0-green.cert-a.example)" "$(ind 1) cert-a"
for d in amber strict red; do
  check "$d domain: no alert in B (never received)" equals "$(alerts_for "host-0-$d.cert-a.example")" ""
done
check "the alert carries the indicator's TLP" \
  bash -c "grep -F 'host-0-green.cert-a.example' '$work/b-alerts.jsonl' | grep -qF '\"tlp\":\"TLP:GREEN\"'"

# 2. B's position survives a restart: the next polls download nothing again.
stop_serve B
check "B stops cleanly (SIGTERM)" equals "$STATUS" 0
mv "$work/B.log" "$work/B-run1.log"
start_serve B "$work/b.yaml" || exit 1
check "B polled A after its restart" wait_for "$work/B.log" '"msg":"federation: polled","peer":"cert-a"'
# Two more polls of A (every second; an empty poll is not logged at info): A's answers,
# counted from now plus one (its metrics may not count the first poll yet).
answers=$(answers_of "$METRICS_A")
check "B polled A again (A answered)" wait_until 20 answered_more "$METRICS_A" $((answers + 2))
check "after the restart, nothing downloaded again" equals "$(polled_objects "$work/B.log" cert-a)" 0
check "the restart resumed from the saved position" \
  has "$work/B.log" '"peer":"cert-a","pages":0,"objects":0,"refused":0,"position":"20'
send_to_b green.cert-a.example
check "the GREEN indicator still matches after the restart" \
  equals "$(alerts_for host-1-green.cert-a.example)" "$(ind 1) cert-a"

# 3. B polling as a peer cleared for AMBER: AMBER arrives, AMBER+STRICT and RED never.
stop_serve B
mv "$work/B.log" "$work/B-run2.log"
config "$here/b-common.yaml" "$here/b-federation-amber.yaml" > "$work/b-amber.yaml"
start_serve B "$work/b-amber.yaml" || exit 1
check "B polled A as cert-a-amber" wait_for "$work/B.log" '"msg":"federation: polled","peer":"cert-a-amber"'
check "cert-a-amber: GREEN and AMBER, 2 objects" equals "$(polled_objects "$work/B.log" cert-a-amber)" 2
send_to_b amber.cert-a.example strict.cert-a.example red.cert-a.example
check "AMBER domain: an alert naming A's AMBER indicator" \
  equals "$(alerts_for host-2-amber.cert-a.example)" "$(ind 2) cert-a-amber"
for d in strict red; do
  check "$d domain: still no alert in B" equals "$(alerts_for "host-2-$d.cert-a.example")" ""
done
for n in 3 4; do
  check "$(ind $n) never reached B" bash -c "! cat '$work'/b-indicators.sqlite* | grep -qaF '$(ind $n)'"
done

# 4. B's sightings reach A: B alerted on A's AMBER indicator, received as cert-a-amber,
# whose sightings_collection is A's sightings collection: within a flush interval A's
# collection holds a STIX Sighting of it, created by B's identity, with the indicator's
# TLP. The GREEN one's source is still cert-a (the first peer it came from), which has no
# sightings_collection in this configuration: its sightings are not sent anywhere.
sightings_in_a() {
  curl -s -H 'Authorization: Bearer b-amber-token' -H 'Accept: application/taxii+json;version=2.1' \
    "http://127.0.0.1:$HTTP_A/api1/collections/5e1f7a2b-9c3d-4e5f-8a6b-7c8d9e0f1a2b/objects/" |
    python3 -c '
import json, sys
for o in json.load(sys.stdin).get("objects", []):
    if o.get("type") == "sighting":
        print(o["sighting_of_ref"], o["where_sighted_refs"][0], o["created_by_ref"], o["object_marking_refs"][0], o["count"] >= 1)
' 2>/dev/null | sort
}
expected_sightings="$(ind 2) identity--b0000000-0000-4000-8000-00000000000b identity--b0000000-0000-4000-8000-00000000000b marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421 True"
got=""
a_has_sighting() { got=$(sightings_in_a); [ "$got" = "$expected_sightings" ]; }
wait_until 10 a_has_sighting
check "A holds B's sighting of its AMBER indicator (TLP kept, B's identity), no other" \
  equals "$got" "$expected_sightings"
# The metrics snapshot is refreshed every second: wait for the one after the sighting.
b_counts_sighting() {
  curl -s "http://127.0.0.1:$METRICS_B/metrics" > "$work/b-metrics.txt"
  grep -q '^vigie_sightings_published_total [1-9]' "$work/b-metrics.txt"
}
wait_until 10 b_counts_sighting
check "B's metrics: indicators by type, TLP and source" \
  has "$work/b-metrics.txt" 'vigie_indicators{type="domain-name",tlp="TLP:AMBER",source="cert-a-amber"} 1'
check "B's metrics: the sync lag of the polled peer" \
  grep -q '^vigie_federation_sync_lag_seconds{peer="cert-a-amber"} [0-9]' "$work/b-metrics.txt"
check "B's metrics: sightings published" grep -q '^vigie_sightings_published_total [1-9]' "$work/b-metrics.txt"
check "B's metrics: indicator matches" grep -q '^vigie_indicator_matches_total [1-9]' "$work/b-metrics.txt"

# 5. Hostile peers: refused and reported; B goes on running and matching.
stop_serve B
mv "$work/B.log" "$work/B-run3.log"
python3 "$here/hostile_taxii_peer.py" "$work/hostile.port" &
hostile_pid=$!
wait_until 5 test -s "$work/hostile.port"
hostile_port=$(cat "$work/hostile.port")
config "$here/b-common.yaml" "$here/b-federation-hostile.yaml" > "$work/b-hostile.yaml"
start_serve B "$work/b-hostile.yaml" || exit 1
check "garbage: the poll fails, with the page and the reason" wait_for "$work/B.log" \
  '"msg":"federation: poll failed","peer":"hostile-garbage","page":"http://127.0.0.1:'"$hostile_port"'/api1/collections/c0000000-0000-4000-8000-000000000001/objects/?limit=1000","reason":"the page is not JSON"'
check "a page over max_page_bytes: aborted while reading" wait_for "$work/B.log" \
  '"peer":"hostile-huge","page":"http://127.0.0.1:'"$hostile_port"'/api1/collections/c0000000-0000-4000-8000-000000000002/objects/?limit=1000","reason":"the page is over max_page_bytes (65536 bytes); reading aborted"'
check "bad objects: 7 received, 6 refused" wait_for "$work/B.log" \
  '"msg":"federation: polled","peer":"hostile-mixed","pages":1,"objects":7,"refused":6'
check "an object over 1 MiB is refused with the page and its place" wait_for "$work/B.log" \
  'objects/?limit=1000:1:775: object of 1573268 bytes is over the 1048576-byte limit'
check "a number among the objects is refused" wait_for "$work/B.log" \
  'objects/?limit=1000: objects[3]: not a JSON object'
check "a peer may not revoke another peer's indicator" wait_for "$work/B.log" \
  'objects[6]: indicator--a0000000-0000-4000-8000-000000000001 came from cert-a, which alone may change it'
check "an invalid pattern is refused with its place" wait_for "$work/B.log" \
  "indicator--c0000000-0000-4000-8000-000000000002: pattern: column 40: expected ']'"
check "the flood stops at max_objects_per_poll" wait_for "$work/B.log" \
  '"msg":"federation: max_objects_per_poll reached; the rest waits for the next poll","peer":"hostile-flood","objects":40'
# A few more rounds of every hostile peer (all polled every second, side by side): two
# more capped polls of the flood.
flood_polls() { grep -c 'max_objects_per_poll reached' "$work/B.log" || true; }
flood_more() { [ "$(flood_polls)" -ge "$1" ]; }
check "two more rounds of the hostile peers" wait_until 20 flood_more $(($(flood_polls) + 2))
check "B is still running" kill -0 "$PID_B"
check "B is still healthy" equals "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_B/healthz")" 200
flood_polls=$(grep -c 'max_objects_per_poll reached' "$work/B.log")
check "every flood poll is capped at 40 objects (polls: $flood_polls)" \
  equals "$(grep 'max_objects_per_poll reached' "$work/B.log" | grep -vc '"objects":40')" 0
send_to_b green.cert-a.example good.hostile.example unclosed.example big.hostile.example
check "A's GREEN indicator still matches" equals "$(alerts_for host-3-green.cert-a.example)" "$(ind 1) cert-a"
check "the hostile peer's one valid indicator matches, under its own name" \
  equals "$(alerts_for host-3-good.hostile.example)" "indicator--c0000000-0000-4000-8000-000000000001 hostile-mixed"
check "its invalid pattern never matches" equals "$(alerts_for host-3-unclosed.example)" ""
check "its 1.5 MiB object never matches" equals "$(alerts_for host-3-big.hostile.example)" ""
check "the silent peer is being polled" bash -c "grep -q c0000000-0000-4000-8000-000000000005 '$work/hostile.port.requests'"
# SIGTERM with the silent peer's poll in progress: the stop interrupts it (B exits, the
# peer still holding the request) instead of waiting for its 120 s timeout (the bound below
# is far under it). How long the stop takes is measured by bench/timings/federation_stop.sh.
started=$(date +%s%N)
kill -TERM "$PID_B"
# exited PID: the process is gone (or a zombie not yet reaped by this shell).
exited() { ! kill -0 "$1" 2>/dev/null || grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null; }
check "B exits with the silent peer's poll in progress, not at its 120 s timeout" \
  wait_until 60 exited "$PID_B"
wait "$PID_B"
STATUS=$?
check "B stops cleanly after the hostile peers" equals "$STATUS" 0
stop_ms=$(( ($(date +%s%N) - started) / 1000000 ))
echo "  B stopped in ${stop_ms} ms (SIGTERM to exit), polls in progress"
[ -n "${TIMINGS_OUT:-}" ] && echo "federation_stop_ms $stop_ms" >> "$TIMINGS_OUT"
kill "$hostile_pid"
wait "$hostile_pid" 2>/dev/null
stop_serve A
check "A stops cleanly" equals "$STATUS" 0
mv "$work/B.log" "$work/B-run4.log"

# 6. Over HTTPS with client certificates (mTLS): B verifies A with the CA and presents its
# certificate; without one, A's TLS refuses the session and B reports it.
( cd "$work" &&
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=federation-test-ca -keyout ca.key \
    -out ca.pem 2>/dev/null &&
  for name in server cert-b; do
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$name" -keyout "$name.key" -out "$name.csr" 2>/dev/null
    [ $name = server ] && echo 'subjectAltName=IP:127.0.0.1' > $name.ext || : > $name.ext
    openssl x509 -req -in $name.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
      -extfile $name.ext -out $name.pem 2>/dev/null
  done )
config "$here/a.yaml" "$here/a-tls.yaml" > "$work/a-tls.yaml"
start_serve A "$work/a-tls.yaml" || exit 1
config "$here/b-common.yaml" "$here/b-federation-tls.yaml" > "$work/b-tls.yaml"
start_serve B "$work/b-tls.yaml" || exit 1
check "mTLS: B polled A over HTTPS" wait_for "$work/B.log" \
  '"msg":"federation: polled","peer":"cert-a-tls","pages":1,"objects":1'
check "without a client certificate: the poll fails, reported" wait_for "$work/B.log" \
  '"msg":"federation: poll failed","peer":"cert-a-nocert","page":"https://127.0.0.1:'"$HTTP_A"'/api1/'
stop_serve B
check "B stops cleanly (TLS)" equals "$STATUS" 0
stop_serve A

# 7. A secret file that cannot be read stops vigie serve at start, named.
rm "$work/b-password"
"$vigie" serve --config "$work/b.yaml" --http-listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0 \
  2> "$work/B-nosecret.log"
check "a missing password_file: exit 1" equals "$?" 1
check "... naming the peer and the file" has "$work/B-nosecret.log" \
  "federation peer cert-a: cannot read the secret in $work/b-password"

echo "two_peers: $pass checks passed, $failures failed"
[ "$failures" -eq 0 ]
