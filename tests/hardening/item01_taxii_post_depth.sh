#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Hardening item 1, TAXII bodies: a real vigie serve; a peer POSTs an envelope holding an
# object nested 100000 levels deep between two good indicators. The POST is answered 202;
# the status fails that object alone ("objects[1]: nested deeper than N levels at line 1,
# column C of the body", with its id); both good indicators are in the collection; an
# envelope nested too deep outside its objects is refused whole (400) with the reason; the
# server is still serving afterwards and stops cleanly.
set -u
vigie=$1
source_dir=$2
. "$source_dir/tests/serve/serve_lib.sh"

collection=91a7b528-80eb-42ed-a74d-c6fbd5a26116
cat > "$work/vigie.yaml" <<YAML
rules: {paths: [$source_dir/rules/windows], cache_dir: $work/cache}
alerts: {output: $work/alerts.jsonl}
spool: {directory: $work/spool}
$(taxii_for_amber "$collection" "read: true, write: true" "max_content_length: 4194304" "tlp_amber: true")
YAML
start_serve A "$work/vigie.yaml" || exit 1
media='application/taxii+json;version=2.1'
objects="http://127.0.0.1:$HTTP_A/api1/collections/$collection/objects/"
taxii() {  # taxii [curl options...]: the status on stdout, the body in $work/body
  curl -s -o "$work/body" -w '%{http_code}' -u amber:amber-pw -H "Accept: $media" "$@"
}

python3 - "$work" <<'PY'
import sys
work = sys.argv[1]
deep = 100000
def ind(n):
    return ('{"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-00000000000%d",'
            '"created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z",'
            '"pattern":"[domain-name:value = \'good%d.example\']","pattern_type":"stix",'
            '"valid_from":"2024-01-01T00:00:00Z"}' % (n, n))
bad = ('{"type":"x-deep","spec_version":"2.1","id":"x-deep--00000000-0000-4000-8000-000000000009",'
       '"created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","v":'
       + '[' * deep + ']' * deep + '}')
with open(f"{work}/envelope.json", "w") as f:
    f.write('{"objects":[' + ind(1) + ',' + bad + ',' + ind(2) + ']}')
with open(f"{work}/deep_envelope.json", "w") as f:
    f.write('{"x":' + '[' * deep + ']' * deep + ',"objects":[' + ind(3) + ']}')
PY
# The object is level 1, v's first '[' level 2: level 65 is 63 further.
col=$(( $(grep -bo '"v":\[' "$work/envelope.json" | cut -d: -f1) + 5 + 63 ))

check "POST of an envelope with a deep object: 202" \
  equals "$(taxii "$objects" -X POST -H "Content-Type: $media" --data-binary @"$work/envelope.json")" 202
check "status: 2 of 3, 1 failure" has "$work/body" '"total_count":3,"success_count":2,"failure_count":1'
check "the failure names the deep object" has "$work/body" '"id":"x-deep--00000000-0000-4000-8000-000000000009"'
check "and says where and why" \
  has "$work/body" "objects[1]: nested deeper than 64 levels at line 1, column $col of the body"
check "the collection's objects: 200" equals "$(taxii "$objects")" 200
check "both good indicators are in the collection" \
  equals "$(grep -o 'indicator--00000000-0000-4000-8000-00000000000[12]' "$work/body" | sort -u | wc -l)" 2
check "the deep object is not" bash -c "! grep -q x-deep '$work/body'"

check "an envelope too deep outside its objects: 400" \
  equals "$(taxii "$objects" -X POST -H "Content-Type: $media" --data-binary @"$work/deep_envelope.json")" 400
# x's first '[' is level 2 at column 6; around objects the envelope has 2 levels more (66).
check "with the reason and the place" has "$work/body" "the body is nested deeper than 64 levels at line 1, column 71"

check "the server still answers /healthz" \
  equals "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_A/healthz")" 200
check "and TAXII" equals "$(taxii "$objects")" 200
check "vigie serve is alive" kill -0 "$PID_A"
stop_serve A
check "and stops cleanly (exit 0)" equals "$STATUS" 0
[ "$failures" -eq 0 ] || { cut -c1-400 "$work/body"; tail -5 "$work/A.log" | cut -c1-300; }

echo "item01 taxii post depth: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
