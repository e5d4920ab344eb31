#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# vigie serve's alert outputs end to end (curl in, files and a webhook out): several
# outputs at once with their filters, suppression windows, the webhook's retries and
# signature, the OCSF format; every alert written validates against its schema.
# Usage: alert_outputs_test.sh VIGIE SOURCE_DIR
set -u
vigie=$1
src=$2
. "$src/tests/serve/serve_lib.sh"
token=demo-token  # demo_agency's
validate() { python3 "$src/tests/alerts/validate_alerts.py" "$@" > "$work/validate.out" || { cat "$work/validate.out"; return 1; }; }
levels() { grep -o '"level":"[a-z]*"' "$1" | sort -u | tr '\n' ' '; }

python3 "$src/tests/outputs/webhook_receiver.py" --port-file "$work/hook.port" --log "$work/hook.log" \
  --secret s3cret --plan 503,drop --retry-after 1 &
wait_until 10 test -s "$work/hook.port" || { echo "the webhook receiver did not start"; exit 1; }
hook_port=$(cat "$work/hook.port")

cat > "$work/serve.yaml" <<YAML
rules: {paths: [$src/rules], mapping: windows, cache_dir: $work/cache}
alerts:
  suppression: {window_seconds: 2, fields: [Event.System.Computer]}
  outputs:
    - {name: all, type: file, path: $work/all.ndjson}
    - {name: high, type: file, path: $work/high.ndjson, min_level: high}
    - {name: other, type: file, path: $work/other.ndjson, agencies: [other]}
    - {name: c2, type: file, path: $work/c2.ndjson, tags: [attack.command-and-control]}
    - {name: hook, type: webhook, url: "http://127.0.0.1:$hook_port/hook", secret_env: HOOK_SECRET,
       retry_initial_ms: 100, retry_max_ms: 1000}
spool: {directory: $work/spool}
$(demo_agency)
YAML
HOOK_SECRET=s3cret start_serve a "$work/serve.yaml" || exit 1
check "events accepted" equals "$(post "$HTTP_a" "$token" "$src/samples/windows-sysmon.ndjson")" 200
answered=$(json_number "$work/body" alerts)
# No wait here: SIGTERM writes the open suppression summaries, and the forwarding outputs
# then deliver what the spool holds (spool.drain_seconds, 10 s by default) before the exit.
stop_serve a
check "exit 0 after SIGTERM" equals "$STATUS" 0
check "SIGTERM drained the webhook: its log says so" \
  log_has "$work/a.log" '"msg":"stopping: every spooled alert forwarded","output":"hook"'
all=$(wc -l < "$work/all.ndjson")
firsts=$(grep -c '"count":1,' "$work/all.ndjson")
summaries=$(grep -c '"count":[2-9][0-9]*,' "$work/all.ndjson")
echo "alerts answered $answered, written $all (first of window $firsts, summaries $summaries)"
check "the answer counts the alerts sent at once" equals "$firsts" "$answered"
check "repeats are folded into summaries with their count" test "$summaries" -gt 0
check "a summary stands for several events" \
  test "$(grep -o '"count":[0-9]*' "$work/all.ndjson" | cut -d: -f2 | awk '{s+=$1} END {print s}')" -gt "$all"
check "min_level high: only high and critical alerts" equals "$(levels "$work/high.ndjson")" '"level":"critical" "level":"high" '
check "the high output got some" test -s "$work/high.ndjson"
check "an agency filter for another agency: nothing" equals "$(wc -c < "$work/other.ndjson")" 0
check "a tag filter: only command-and-control rules" \
  equals "$(grep -vc 'attack.command-and-control' "$work/c2.ndjson")" 0
check "the tag filter passed some" test -s "$work/c2.ndjson"
check "file alerts validate against the schema" validate "$src/docs/alert.schema.json" "$work/all.ndjson" --min 5
# The webhook failed twice (503 with Retry-After, a dropped connection), then took every alert.
hook_uids=$(python3 -c 'import json,sys; print(len({u for l in open(sys.argv[1]) for u in json.loads(l)["uids"] if json.loads(l)["answer"]=="200"}))' "$work/hook.log")
check "webhook: retried after the failures" test "$(wc -l < "$work/hook.log")" -ge 3
check "webhook: the first answers were failures" equals "$(head -2 "$work/hook.log" | grep -c '"answer": "200"')" 0
check "webhook: every signature verified" equals "$(grep -c '"signature_ok": false' "$work/hook.log")" 0
check "webhook: every alert delivered (same count as the file)" equals "$hook_uids" "$all"

# Issue 19 item 2: SIGTERM with the webhook unreachable. The output tries for
# spool.drain_seconds (1 s here), then what it could not deliver stays in the spool, and the
# log counts it; the next start on that spool delivers every one of them.
write_left_config() {  # URL
  cat > "$work/left.yaml" <<YAML
rules: {paths: [$src/rules], mapping: windows, cache_dir: $work/cache}
alerts:
  outputs:
    - {name: all, type: file, path: $work/left.ndjson}
    - {name: hook, type: webhook, url: "$1", secret_env: HOOK_SECRET,
       retry_initial_ms: 100, retry_max_ms: 1000}
spool: {directory: $work/spool-left, drain_seconds: 1}
$(demo_agency)
YAML
}
write_left_config "http://127.0.0.1:9/hook"  # the discard port: nothing listens on loopback
HOOK_SECRET=s3cret start_serve d "$work/left.yaml" || exit 1
check "unreachable webhook: events accepted" equals "$(post "$HTTP_d" "$token" "$src/samples/windows-sysmon.ndjson")" 200
stop_serve d
check "unreachable webhook: exit 0 after SIGTERM" equals "$STATUS" 0
left=$(sed -nE 's/.*"msg":"stopping: alerts not forwarded stay in the spool for the next start","output":"hook","detail":"([0-9]+) alerts.*/\1/p' "$work/d.log")
check "unreachable webhook: the log counts the alerts left in the spool" \
  equals "${left:-none}" "$(wc -l < "$work/left.ndjson")"
python3 "$src/tests/outputs/webhook_receiver.py" --port-file "$work/hook2.port" --log "$work/hook2.log" \
  --secret s3cret &
wait_until 10 test -s "$work/hook2.port" || { echo "the second webhook receiver did not start"; exit 1; }
write_left_config "http://127.0.0.1:$(cat "$work/hook2.port")/hook"
HOOK_SECRET=s3cret start_serve e "$work/left.yaml" || exit 1
stop_serve e
check "the next start forwarded them" \
  log_has "$work/e.log" '"msg":"stopping: every spooled alert forwarded","output":"hook"'
check "the next start: every alert left in the spool reached the webhook" \
  equals "$(python3 -c 'import json,sys; print(len({u for l in open(sys.argv[1]) for u in json.loads(l)["uids"] if json.loads(l)["answer"]=="200"}))' "$work/hook2.log")" "${left:-none}"

# OCSF on the wire: the same events, format ocsf, a fresh spool.
sed -e 's/^alerts:/alerts:\n  format: ocsf/' -e "s|$work/spool|$work/spool2|" -e '/name: hook/,+1d' \
  -e "s|$work/all.ndjson|$work/ocsf.ndjson|" "$work/serve.yaml" > "$work/ocsf.yaml"
start_serve b "$work/ocsf.yaml" || exit 1
check "events accepted (ocsf)" equals "$(post "$HTTP_b" "$token" "$src/samples/windows-sysmon.ndjson")" 200
stop_serve b
check "OCSF alerts validate (official OCSF 1.1.0)" validate_ocsf "$work/ocsf.ndjson" --min 5

# metrics.enabled false: no metrics listener, the events still accepted and alerted;
# --alert-format overrides the file's format (jsonl by default) with ocsf.
printf 'metrics: {enabled: false}\nrules: {paths: [%s/rules], mapping: windows, cache_dir: %s/cache}\nalerts: {output: %s/nometrics.ndjson}\nagencies:\n  - {id: demo, token_sha256: %s}\n' \
  "$src" "$work" "$work" "$(digest "$token")" > "$work/nometrics.yaml"
start_serve c "$work/nometrics.yaml" --alert-format ocsf || exit 1
check "metrics off: the serving line says so" grep -q '"metrics":"off"' "$work/c.log"
check "metrics off: events accepted" equals "$(post "$HTTP_c" "$token" "$src/samples/windows-sysmon.ndjson")" 200
stop_serve c
check "metrics off: the alerts written" equals "$(wc -l < "$work/nometrics.ndjson")" "$(json_number "$work/body" alerts)"
check "--alert-format ocsf: OCSF alerts (official OCSF 1.1.0)" validate_ocsf "$work/nometrics.ndjson" --min 5

echo "alert_outputs: $pass checks passed, $failures failed"
[ "$failures" -eq 0 ]
