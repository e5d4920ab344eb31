#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# vigie serve's HTTP ingest, end to end: a real vigie serve process on free loopback
# ports, driven with curl. Auth, every status code, gzip, a malformed line among good
# ones, rate limits, limits on bodies, events, connections and slow clients, reloads
# (HTTP and SIGHUP; a broken ruleset is refused and the old one keeps working), and the
# SIGTERM drain (every accepted event's alerts are written before exit 0).
set -u
vigie=$1
source_dir=$2
. "$source_dir/tests/serve/serve_lib.sh"

copy_windows_rules
sample="$source_dir/samples/windows-sysmon.ndjson"
sample_events=$(grep -c . "$sample")
cat > "$work/vigie.yaml" <<YML
http:
  max_body_bytes: 400000
  max_event_bytes: 8192
  max_connections: 3
  read_timeout_seconds: 4
rules: {paths: [$work/rules], mapping: windows, cache_dir: $work/cache}
engine: {threads: 2}
alerts: {output: $work/alerts.jsonl}
$(demo_agency unlimited)
  - id: tight
    token_sha256: $(digest tight-token)
    rate_limit: {events_per_second: 1, burst: 300}
admin:
  token_sha256: $(digest admin-token)
YML
start_serve A "$work/vigie.yaml" || exit 1
port=$HTTP_A
alerts() { [ -f "$work/alerts.jsonl" ] && wc -l < "$work/alerts.jsonl" || echo 0; }

# --- health
check "healthz" equals "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz")" 200
check "readyz" equals "$(curl -s -o "$work/ready" -w '%{http_code}' "http://127.0.0.1:$port/readyz")" 200
check "readyz says ready" has "$work/ready" '"status":"ready"'

# --- accepted, with alerts attributed to the token's agency
check "sample accepted" equals "$(post "$port" demo-token "$sample")" 200
check "every event accepted" equals "$(json_number "$work/body" accepted)" "$sample_events"
check "nothing rejected" has "$work/body" '"rejected":[]'
first_alerts=$(json_number "$work/body" alerts)
check "the sample raises alerts" test "$first_alerts" -gt 0
check "alerts written before the answer" equals "$(alerts)" "$first_alerts"
check "alerts carry the agency" equals "$(grep -c '"agency":"demo",' "$work/alerts.jsonl")" "$first_alerts"
# The payload cannot choose its agency.
grep -m1 'comsvcs' "$sample" | sed 's/^{/{"agency":"tight",/' > "$work/spoof.ndjson"
check "spoofed payload accepted" equals "$(post "$port" demo-token "$work/spoof.ndjson")" 200
check "agency from the credential" equals "$(tail -1 "$work/alerts.jsonl" | grep -c '"line":1},.*"agency":"demo",')" 1

# --- authentication
before=$(alerts)
check "wrong token 401" equals "$(post "$port" not-a-token "$sample")" 401
check "401 says how to authenticate" grep -qi '^WWW-Authenticate: Bearer' "$work/headers"
check "missing token 401" equals "$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary "@$sample" -H 'Content-Type: application/x-ndjson' "http://127.0.0.1:$port/v1/events")" 401
check "admin token is not an agency token" equals "$(post "$port" admin-token "$sample")" 401
check "refused events raise no alerts" equals "$(alerts)" "$before"

# --- encodings and content types
gzip -c "$sample" > "$work/sample.gz"
check "gzip accepted" equals "$(post "$port" demo-token "$work/sample.gz" -H 'Content-Encoding: gzip')" 200
check "gzip events counted" equals "$(json_number "$work/body" accepted)" "$sample_events"
head -c 300 "$work/sample.gz" > "$work/cut.gz"
check "cut gzip 400" equals "$(post "$port" demo-token "$work/cut.gz" -H 'Content-Encoding: gzip')" 400
check "unknown encoding 415" equals "$(post "$port" demo-token "$work/sample.gz" -H 'Content-Encoding: br')" 415
check "form content type 415" equals "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Authorization: Bearer demo-token' --data-binary "@$sample" "http://127.0.0.1:$port/v1/events")" 415

# --- a malformed line among good ones
{ sed -n 1p "$sample"; echo '{"a":1,,"b":2}'; echo '7'; sed -n 2p "$sample"; } > "$work/mixed.ndjson"
check "mixed body 200" equals "$(post "$port" demo-token "$work/mixed.ndjson")" 200
check "good lines accepted" equals "$(json_number "$work/body" accepted)" 2
check "line 2 rejected with a reason" grep -qE '\{"line":2,"error":"[^"]+"\}' "$work/body"
check "line 3 rejected: not an object" has "$work/body" '{"line":3,"error":"document is not a JSON object"}'

# --- limits
head -c 500000 /dev/zero | tr '\0' ' ' > "$work/big.ndjson"
check "body over the limit 413" equals "$(post "$port" demo-token "$work/big.ndjson")" 413
{ sed -n 1p "$sample"; printf '{"big":"%09000d"}\n' 0; } > "$work/bigevent.ndjson"
check "event over the limit 413" equals "$(post "$port" demo-token "$work/bigevent.ndjson")" 413
check "413 names the line" has "$work/body" 'line 2 is'
head -c 3000000 /dev/zero | tr '\0' ' ' | gzip -c > "$work/bomb.gz"
check "gzip bomb 413" equals "$(post "$port" demo-token "$work/bomb.gz" -H 'Content-Encoding: gzip')" 413
check "unknown path 404" equals "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/nope")" 404
check "GET /v1/events 405" equals "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1/events")" 405

# --- rate limit: 300 events of burst, 1 event/s
check "within the burst 200" equals "$(post "$port" tight-token "$sample")" 200
check "over the rate 429" equals "$(post "$port" tight-token "$sample")" 429
check "429 has Retry-After" grep -qiE '^Retry-After: [0-9]+' "$work/headers"
cat "$sample" "$sample" > "$work/double.ndjson"
check "more than the burst in one request 413" equals "$(post "$port" tight-token "$work/double.ndjson")" 413
check "another agency is not limited" equals "$(post "$port" demo-token "$sample")" 200

# --- reload: a broken ruleset is refused and the old rules keep working
reload() {  # reload TOKEN: the status code; the answer in $work/reload
  curl -s -o "$work/reload" -w '%{http_code}' -X POST -H "Authorization: Bearer $1" \
    "http://127.0.0.1:$port/v1/admin/reload"
}
grep -m1 '"EventID":1,' "$sample" |
  sed -E 's/"CommandLine":"[^"]*"/"CommandLine":"run vigie-reload-marker now"/' > "$work/marker.ndjson"
marker_rule() {  # marker_rule ID NEEDLE
  cat <<YML
title: Reload marker $1
id: $1
status: test
level: high
logsource: {product: windows, category: process_creation}
detection:
  sel:
    CommandLine|contains: $2
  condition: sel
YML
}
check "reload needs the admin token" equals "$(reload demo-token)" 401
printf 'title: Broken\nid: 99999999-9999-4999-8999-999999999999\nlogsource: {product: windows}\ndetection:\n  sel:\n    Image|nosuchmodifier: x\n  condition: sel\n' > "$work/rules/broken.yml"
check "broken ruleset refused 422" equals "$(reload admin-token)" 422
check "refusal names the file and line" grep -qE 'broken\.yml:6:[0-9]+:' "$work/reload"
check "refusal logged" has "$work/A.log" '"msg":"reload refused"'
check "old rules still fire" equals "$(post "$port" demo-token "$sample")" 200
check "same alerts as before the refused reload" equals "$(json_number "$work/body" alerts)" "$first_alerts"
rm "$work/rules/broken.yml"
marker_rule aaaaaaaa-0000-4000-8000-000000000001 vigie-reload-marker > "$work/rules/marker.yml"
check "marker does not fire before the reload" equals "$(post "$port" demo-token "$work/marker.ndjson") $(json_number "$work/body" alerts)" "200 0"
check "good ruleset reloaded 200" equals "$(reload admin-token)" 200
check "reload answer counts the rules" has "$work/reload" '"reloaded":true'
check "new rule fires" equals "$(post "$port" demo-token "$work/marker.ndjson") $(json_number "$work/body" alerts)" "200 1"
check "alert from the new rule" equals "$(tail -1 "$work/alerts.jsonl" | grep -c aaaaaaaa-0000-4000-8000-000000000001)" 1
# SIGHUP reloads too.
marker_rule aaaaaaaa-0000-4000-8000-000000000002 vigie-reload > "$work/rules/marker2.yml"
kill -HUP "$PID_A"
reloaded_twice() { [ "$(grep -c '"msg":"reloaded"' "$work/A.log")" -ge 2 ]; }
wait_until 30 reloaded_twice
check "SIGHUP reloaded" equals "$(grep -c '"msg":"reloaded"' "$work/A.log")" 2
check "both marker rules fire" equals "$(post "$port" demo-token "$work/marker.ndjson") $(json_number "$work/body" alerts)" "200 2"

# --- a half-open client is dropped after read_timeout_seconds (4)
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'POST /v1/events HTTP/1.1\r\nHost: x\r\n' >&3
timeout 30 cat <&3 > /dev/null
check "half-open client disconnected" equals "$?" 0
exec 3<&-

# --- at most 3 connections: idle ones that never authenticated do not keep a 4th out; it
# takes the slot of the one that has waited longest (closed by vigie)
exec 3<>"/dev/tcp/127.0.0.1/$port" 4<>"/dev/tcp/127.0.0.1/$port" 5<>"/dev/tcp/127.0.0.1/$port"
check "4th connection served" equals "$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 "http://127.0.0.1:$port/healthz")" 200
timeout 20 cat <&3 > /dev/null
check "the oldest idle connection was closed for it" equals "$?" 0
exec 3<&- 4<&- 5<&-
check "served once the others close" equals "$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 "http://127.0.0.1:$port/healthz")" 200

# --- SIGTERM: stop accepting, answer what was taken, write every accepted event's alerts
before=$(alerts)
for i in 1 2 3 4 5 6; do
  curl -s -o "$work/drain$i.body" -w '%{http_code}' -X POST -H 'Authorization: Bearer demo-token' \
    -H 'Content-Type: application/x-ndjson' --data-binary "@$sample" \
    "http://127.0.0.1:$port/v1/events" > "$work/drain$i.code" &
done
# A slow upload still in progress when SIGTERM arrives is answered 503 + Retry-After.
# It starts once one of the requests above was answered (3 connection slots). The sample
# (300 KB) at 100 KB/s: about 3 s, within the 4 s request deadline. SIGTERM goes once vigie
# has admitted it: vigie's "100 Continue" (asked for with Expect) comes after its headers
# were read and accepted, and the body only starts then.
one_answered() { cat "$work"/drain?.code 2> /dev/null | grep -q 200; }
wait_until 30 one_answered
cp "$sample" "$work/slow.ndjson"
curl -s -o "$work/slow.body" -D "$work/slow.headers" -w '%{http_code}' --limit-rate 100k -X POST \
  -H 'Authorization: Bearer demo-token' -H 'Content-Type: application/x-ndjson' \
  -H 'Expect: 100-continue' --trace-ascii "$work/slow.trace" \
  --data-binary "@$work/slow.ndjson" "http://127.0.0.1:$port/v1/events" > "$work/slow.code" &
check "the slow upload was admitted (100 Continue)" wait_until 20 log_has "$work/slow.trace" "HTTP/1.1 100 Continue"
stop_serve A
check "exit 0 after SIGTERM" equals "$STATUS" 0
wait
expected=0
answered=0
for i in 1 2 3 4 5 6; do
  code=$(cat "$work/drain$i.code")
  case $code in
    200) expected=$((expected + $(json_number "$work/drain$i.body" alerts))); answered=$((answered + 1));;
    503|000) ;;  # refused while draining, or after the listener closed: nothing accepted
    *) echo "  request $i: unexpected $code"; failures=$((failures + 1));;
  esac
done
check "drained requests answered" test "$answered" -gt 0
check "every accepted event's alerts written before exit" equals "$(( $(alerts) - before ))" "$expected"
check "slow upload during drain 503" equals "$(cat "$work/slow.code")" 503
check "503 has Retry-After" grep -qiE '^Retry-After: [0-9]+' "$work/slow.headers"
check "drain logged" has "$work/A.log" '"msg":"stopped"'
check "every alert written validates against docs/alert.schema.json" \
  python3 "$source_dir/tests/alerts/validate_alerts.py" "$source_dir/docs/alert.schema.json" "$work/alerts.jsonl"

echo "http ingest: $pass checks passed, $failures failed"
[ "$failures" -eq 0 ]
