#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Issue 19 item 7: a reload applies every setting that can change at run time, at once,
# and names every changed setting that needs a restart. A real vigie serve, driven with
# curl and SIGHUP: the HTTP limits, agencies and their rate limits, the admin token and
# log.level apply live; http.listen, engine, limits, nats, indicators, alerts changes are
# named "restart_required" (answer and log) and not applied; a file with an error (even
# one only start-up's checks find) changes nothing, and says where.
set -u
vigie=$1
source_dir=$2
. "$source_dir/tests/serve/serve_lib.sh"

copy_windows_rules
sample="$source_dir/samples/windows-sysmon.ndjson"
# A body of about 300 KB, of ordinary events.
while [ "$(stat -c %s "$work/big.ndjson" 2>/dev/null || echo 0)" -lt 300000 ]; do
  cat "$sample" >> "$work/big.ndjson"
done
big_events=$(grep -c . "$work/big.ndjson")

# write_config: the whole file, from the variables below ($http_extra: more lines under
# http:, $extra: more sections).
max_body=1000000; max_event=65536; token=demo-token; burst=1000000; level=info; extra=""
admin=admin-token; more_rules=""; suppression=""; min_level=""; more_outputs=""
write_config() {
  cat > "$work/vigie.yaml" <<YML
http:
  max_body_bytes: $max_body
  max_event_bytes: $max_event
$http_extra
rules:
  paths: [$work/rules$more_rules]
  mapping: windows
  cache_dir: $work/cache
engine: {threads: 2}
alerts: {outputs: [{name: archive, type: file, path: $work/alerts.jsonl$min_level}$more_outputs]$suppression}
agencies:
  - id: demo
    token_sha256: $(digest "$token")
    rate_limit: {events_per_second: 1000000, burst: $burst}
admin:
  token_sha256: $(digest "$admin")
log:
  level: $level
$extra
YML
}
http_extra=""
write_config
start_serve A "$work/vigie.yaml" || exit 1
port=$HTTP_A
reload() {  # reload [TOKEN]: the status code; the answer in $work/reload
  curl -s -o "$work/reload" -w '%{http_code}' -X POST -H "Authorization: Bearer ${1:-$admin}" \
    "http://127.0.0.1:$port/v1/admin/reload"
}
reloads_logged() { grep -c '"msg":"reloaded"' "$work/A.log"; }
last_log() { grep -F "\"msg\":\"$1" "$work/A.log" | tail -1; }

check "300 KB body accepted at first" equals "$(post "$port" demo-token "$work/big.ndjson")" 200
check "every event of it" equals "$(json_number "$work/body" accepted)" "$big_events"

# --- http.max_body_bytes lowered: the next 300 KB POST is refused
max_body=200000; write_config
check "reload 200" equals "$(reload)" 200
check "answer names the applied setting" has "$work/reload" '"applied":["http.max_body_bytes"]'
check "nothing waits for a restart" has "$work/reload" '"restart_required":[]'
check "log names the applied setting" grep -qF '"applied":"http.max_body_bytes"' <(last_log reloaded)
check "300 KB POST now 413" equals "$(post "$port" demo-token "$work/big.ndjson")" 413
check "413 names the new limit" has "$work/body" 'over the limit of 200000 bytes'

# --- http.max_event_bytes and the agency's burst, lowered together
head -1 "$sample" > "$work/one.ndjson"
line_bytes=$(wc -c < "$work/one.ndjson")
max_event=$((line_bytes / 2)); burst=2; write_config
check "reload of two live settings 200" equals "$(reload)" 200
check "both named" has "$work/reload" '"applied":["agencies[0].rate_limit.burst","http.max_event_bytes"]'
check "a line over the new event limit 413" equals "$(post "$port" demo-token "$work/one.ndjson")" 413
check "413 names http.max_event_bytes" has "$work/body" 'http.max_event_bytes'
max_event=65536; write_config
check "reload 200 (event limit back)" equals "$(reload)" 200
head -3 "$sample" > "$work/three.ndjson"
check "three events over the new burst of 2: 413" equals "$(post "$port" demo-token "$work/three.ndjson")" 413
check "413 names the burst" has "$work/body" 'burst limit'

# --- an agency's token changed: the old one is refused, the new one accepted
token=demo-token-2; burst=1000000; write_config
check "reload 200 (token)" equals "$(reload)" 200
check "answer names the agency's token" has "$work/reload" '"agencies[0].token_sha256"'
check "old token now 401" equals "$(post "$port" demo-token "$work/one.ndjson")" 401
check "new token 200" equals "$(post "$port" demo-token-2 "$work/one.ndjson")" 200

# --- another rules path and another admin token, in one reload
mkdir -p "$work/more"
cat > "$work/more/marker.yml" <<YML
title: Reload marker
id: aaaaaaaa-0000-4000-8000-000000000007
status: test
level: high
logsource: {product: windows, category: process_creation}
detection:
  sel:
    CommandLine|contains: vigie-item07-marker
  condition: sel
YML
grep -m1 '"EventID":1,' "$sample" |
  sed -E 's/"CommandLine":"[^"]*"/"CommandLine":"run vigie-item07-marker now"/' > "$work/marker.ndjson"
check "marker raises nothing before" equals "$(post "$port" demo-token-2 "$work/marker.ndjson") $(json_number "$work/body" alerts)" "200 0"
more_rules=", $work/more"; admin=admin-token-2; write_config
check "reload 200 (rules, admin token)" equals "$(reload admin-token)" 200
check "both named" has "$work/reload" '"applied":["admin.token_sha256","rules.paths"]'
check "the new rule fires" equals "$(post "$port" demo-token-2 "$work/marker.ndjson") $(json_number "$work/body" alerts)" "200 1"
check "the old admin token is refused" equals "$(reload admin-token)" 401
check "the new admin token reloads" equals "$(reload)" 200

# --- suppression turned on, then off again
marker_alerts() { post "$port" demo-token-2 "$work/marker.ndjson" >/dev/null; json_number "$work/body" alerts; }
suppression=", suppression: {window_seconds: 3600}"; write_config
check "reload 200 (suppression on)" equals "$(reload)" 200
check "suppression named as applied" has "$work/reload" '"applied":["alerts.suppression.window_seconds"]'
check "first marker alert goes out" equals "$(marker_alerts)" 1
check "its repeat is suppressed" equals "$(marker_alerts)" 0
suppression=""; write_config
check "reload 200 (suppression off)" equals "$(reload)" 200
# The window left open is closed by the new length (0) and summarised (count 2).
check "the open window's summary is written" wait_until 10 log_has "$work/alerts.jsonl" '"count":2'
check "repeats go out again" equals "$(marker_alerts) $(marker_alerts)" "1 1"

# --- an output's min_level raised, then lowered: what it writes follows
archived() { wc -l < "$work/alerts.jsonl"; }
min_level=", min_level: critical"; write_config
check "reload 200 (min_level)" equals "$(reload)" 200
check "the output's min_level named applied" has "$work/reload" '"applied":["alerts.outputs[0].min_level"]'
before=$(archived)
check "a high alert is made" equals "$(marker_alerts)" 1
check "... and not written under min_level critical" equals "$(archived)" "$before"
min_level=""; write_config
check "reload 200 (min_level back)" equals "$(reload)" 200
check "a high alert is written again" equals "$(marker_alerts) $(archived)" "1 $((before + 1))"

# --- settings that need a restart: named in the answer and the log, and not applied
http_extra="  listen: 127.0.0.1:1"
extra="limits: {max_nesting_depth: 8}
nats: {url: "nats://127.0.0.1:1"}
indicators: {max_indicators: 1000}"
# An output added, with a filter: not running, so its filter waits for the restart too.
more_outputs=", {name: extra, type: file, path: $work/extra.jsonl, min_level: critical}"
max_body=1000000; write_config
check "reload with restart-only changes 200" equals "$(reload)" 200
check "live change applied alongside" has "$work/reload" '"applied":["http.max_body_bytes"]'
check "restart_required names each one" has "$work/reload" \
  '"restart_required":["alerts.outputs[1].min_level","alerts.outputs[1].name","alerts.outputs[1].path","alerts.outputs[1].type","http.listen","indicators.max_indicators","limits.max_nesting_depth","nats.url"]'
check "log names them" grep -qF '"restart_required":"alerts.outputs[1].min_level, alerts.outputs[1].name, alerts.outputs[1].path, alerts.outputs[1].type, http.listen, indicators.max_indicators, limits.max_nesting_depth, nats.url"' \
  <(last_log "reload: changed settings that apply only after a restart")
check "the added output is not running" test ! -e "$work/extra.jsonl"
check "still served on the port it started on" equals "$(post "$port" demo-token-2 "$work/big.ndjson")" 200
# limits.max_nesting_depth 8 is not in force: an event nested 20 deep is still accepted.
deep='"x"'; for _ in $(seq 1 20); do deep="{\"a\":$deep}"; done
echo "$deep" > "$work/deep.ndjson"
check "an event nested 20 deep still accepted" equals "$(post "$port" demo-token-2 "$work/deep.ndjson")" 200
check "... and not rejected" has "$work/body" '"rejected":[]'
check "a second reload names them again (still not applied)" equals "$(reload)" 200
check "... restart_required" has "$work/reload" '"restart_required":["alerts.outputs[1].min_level","alerts.outputs[1].name","alerts.outputs[1].path","alerts.outputs[1].type","http.listen","indicators.max_indicators","limits.max_nesting_depth","nats.url"]'
check "... nothing newly applied" has "$work/reload" '"applied":[]'

# --- an invalid file changes nothing, and says where
http_extra=""; extra=""; more_outputs=""
token=demo-token-3; max_body=200000; write_config
printf 'spool: {max_bytes: 12}\n' >> "$work/vigie.yaml"
spool_line=$(grep -n '^spool:' "$work/vigie.yaml" | cut -d: -f1)
check "invalid file 422" equals "$(reload)" 422
check "refusal says file:line:col" grep -qE "vigie\\.yaml:$spool_line:[0-9]+: spool.max_bytes" "$work/reload"
check "refusal logged" grep -qE "\"msg\":\"reload refused\".*vigie\\.yaml:$spool_line:" "$work/A.log"
check "old token still accepted" equals "$(post "$port" demo-token-2 "$work/one.ndjson")" 200
check "new token not accepted" equals "$(post "$port" demo-token-3 "$work/one.ndjson")" 401
check "body limit not lowered" equals "$(post "$port" demo-token-2 "$work/big.ndjson")" 200
# A file only start-up's checks refuse (a TLS certificate that cannot be read).
write_config
printf '  tls: {enabled: true, certificate: %s/none.pem, private_key: %s/none.key}\n' \
  "$work" "$work" > "$work/tls.txt"
sed -i "/^  max_event_bytes/r $work/tls.txt" "$work/vigie.yaml"
check "unreadable TLS certificate 422" equals "$(reload)" 422
check "refusal names the certificate" has "$work/reload" 'none.pem'
check "token still the old one" equals "$(post "$port" demo-token-3 "$work/one.ndjson")" 401
check "body limit still the old one" equals "$(post "$port" demo-token-2 "$work/big.ndjson")" 200

# --- SIGHUP goes the same way; log.level applies live
level=error; write_config   # token demo-token-3, max_body 200000
before=$(reloads_logged)
kill -HUP "$PID_A"
reloaded_since() { [ "$(reloads_logged)" -gt "$before" ]; }
check "SIGHUP reloaded" wait_until 30 reloaded_since
check "SIGHUP applied the body limit" equals "$(post "$port" demo-token-3 "$work/big.ndjson")" 413
warnings=$(grep -c '"level":"warning"' "$work/A.log")
check "a bad token 401" equals "$(post "$port" no-such-token "$work/one.ndjson")" 401
check "log.level error: its warning is not logged" equals "$(grep -c '"level":"warning"' "$work/A.log")" "$warnings"

stop_serve A
check "exit 0" equals "$STATUS" 0
[ "$failures" -eq 0 ] || { echo "--- vigie serve log:"; cat "$work/A.log"; }
echo "item07_reload: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
