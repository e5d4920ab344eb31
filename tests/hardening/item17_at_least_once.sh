#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Hardening item 17: delivery is at least once, and a receiver deduplicates on `uid`, as
# docs/alerts.md says. A real vigie serve forwards alerts to a webhook receiver that takes
# the first batch and never answers; vigie is killed (kill -9) while that batch is in
# flight, then restarted on the same spool. The receiver ends up with every alert (none
# lost) and with the in-flight batch twice, each repeat under the same uid, so that
# deduplicating on uid gives exactly the alerts vigie wrote.
# Usage: item17_at_least_once.sh VIGIE SOURCE_DIR
set -u
vigie=$1
src=$2
. "$src/tests/serve/serve_lib.sh"
token=demo-token  # demo_agency's

python3 "$src/tests/outputs/webhook_receiver.py" --port-file "$work/hook.port" --log "$work/hook.log" \
  --secret s3cret --plan hang &
wait_until 10 test -s "$work/hook.port" || { echo "FAIL: the webhook receiver did not start"; exit 1; }
hook_port=$(cat "$work/hook.port")

cat > "$work/serve.yaml" <<YAML
rules: {paths: [$src/rules], mapping: windows, cache_dir: $work/cache}
alerts:
  suppression: {window_seconds: 0, fields: []}
  outputs:
    - {name: archive, type: file, path: $work/archive.ndjson}
    - {name: hook, type: webhook, url: "http://127.0.0.1:$hook_port/hook", secret_env: HOOK_SECRET,
       retry_initial_ms: 100, retry_max_ms: 500}
spool: {directory: $work/spool}
$(demo_agency)
YAML
HOOK_SECRET=s3cret start_serve a "$work/serve.yaml" || exit 1
check "events accepted" equals "$(post "$HTTP_a" "$token" "$src/samples/windows-sysmon.ndjson")" 200
written=$(json_number "$work/body" alerts)
check "alerts written" test "${written:-0}" -gt 0

# The first batch reaches the receiver, which holds it unanswered: kill -9 vigie then.
check "the first batch is in flight" wait_until 30 test -s "$work/hook.log"
kill -KILL "$PID_a"; wait "$PID_a" 2> /dev/null

HOOK_SECRET=s3cret start_serve b "$work/serve.yaml" || exit 1
received() {  # distinct uids the receiver took (answered 200)
  python3 - "$work/hook.log" << 'PY'
import json, sys
print(len({u for l in open(sys.argv[1]) for r in [json.loads(l)] if r["answer"] == "200" for u in r["uids"]}))
PY
}
all_received() { [ "$(received)" -ge "$written" ]; }
wait_until 30 all_received
check "the archive holds every alert of the answer" equals "$(wc -l < "$work/archive.ndjson")" "$written"
check "none lost: every alert written reaches the receiver" equals "$(received)" "$written"
python3 - "$work/hook.log" "$work/archive.ndjson" > "$work/dedup.out" << 'PY'
import json, sys
requests = [json.loads(l) for l in open(sys.argv[1])]
held = set(requests[0]["uids"])
taken = [u for r in requests if r["answer"] == "200" for u in r["uids"]]
archive = {json.loads(l)["uid"] for l in open(sys.argv[2])}
print("held", len(held), "resent", len(held & set(taken)), "taken", len(taken),
      "distinct", len(set(taken)), "archive", len(archive), "same", set(taken) == archive)
PY
cat "$work/dedup.out"
check "the batch in flight at the kill is sent again, under the same uids" \
  bash -c "awk '{exit !(\$2 > 0 && \$2 == \$4)}' '$work/dedup.out'"
check "deduplicating on uid gives exactly the alerts written" grep -q 'same True' "$work/dedup.out"
check "docs/alerts.md says so" grep -qi 'at least once; deduplicate on .uid' "$src/docs/alerts.md"
stop_serve b
check "exit 0 after SIGTERM" equals "$STATUS" 0

echo "item17: $pass checks passed, $failures failed"
[ "$failures" -eq 0 ]
