#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Hardening item 11: TAXII 2.1 conformance points, with curl against a real vigie serve.
#  - section 5.7: DELETE needs read AND write: a write-only peer gets 403 for an object it
#    never posted and for an unknown id alike (no existence oracle); a peer with neither
#    right gets 404 (the collection is, for it, absent); read + write deletes (200).
#  - section 4.3.1: every status entry, success or failure, carries `version`.
#  - an unknown API root is a TAXII path: 401 (TAXII media type) without credentials, 404
#    (TAXII media type) with them.
#  - section 5.6: match[version] that an existing object lacks: 200 and an empty envelope.
#  - Authorization: Token <token> (the OASIS client's style) is accepted as Bearer.
set -u
vigie=$1
source_dir=$2
. "$source_dir/tests/serve/serve_lib.sh"

collection=6b3f0b52-2c1e-4f0a-9d47-1a2b3c4d5e11
media='application/taxii+json;version=2.1'
green=marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb
ind() { printf 'indicator--a1100000-0000-4000-8000-%012d' "$1"; }
indicator() {
  printf '{"type":"indicator","spec_version":"2.1","id":"%s","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","pattern_type":"stix","pattern":"[domain-name:value = '"'"'d%s.example'"'"']","valid_from":"2026-01-01T00:00:00Z","object_marking_refs":["%s"]}' \
    "$(ind "$1")" "$1" "$green"
}
printf '{"type":"bundle","id":"bundle--a1100000-0000-4000-8000-000000000000","objects":[%s,%s]}\n' \
  "$(indicator 1)" "$(indicator 2)" > "$work/seed.json"
cat > "$work/a.yaml" <<YAML
rules: {paths: [$source_dir/rules/windows], cache_dir: $work/cache}
alerts: {output: $work/alerts.jsonl}
spool: {directory: $work/spool}
taxii:
  enabled: true
  store: $work/taxii.sqlite
  api_roots: [{path: api1, title: Root}]
  collections: [{id: $collection, title: Indicators, seed: $work/seed.json}]
  peers:
    - {id: writer, token_sha256: $(digest writer-token), collections: [{id: $collection, write: true}]}
    - {id: reader, token_sha256: $(digest reader-token), collections: [{id: $collection, read: true}]}
    - {id: both, token_sha256: $(digest both-token), collections: [{id: $collection, read: true, write: true}]}
    - {id: nobody, token_sha256: $(digest nobody-token)}
YAML
start_serve A "$work/a.yaml" || exit 1

# taxii METHOD PATH AUTHORIZATION [curl options]: the status; body and headers in $work.
taxii() {
  local method=$1 path=$2 auth=$3; shift 3
  local with_auth=()
  [ -n "$auth" ] && with_auth=(-H "Authorization: $auth")
  curl -sg -o "$work/body" -D "$work/headers" -w '%{http_code}' -X "$method" -H "Accept: $media" \
    "${with_auth[@]}" "$@" "http://127.0.0.1:$HTTP_A$path"
}
objects="/api1/collections/$collection/objects/"

# 5.7
check "write-only: DELETE an object it never posted is 403" \
  equals "$(taxii DELETE "$objects$(ind 1)/" 'Bearer writer-token')" 403
check "write-only: DELETE an unknown id is 403 too (no oracle)" \
  equals "$(taxii DELETE "$objects$(ind 9)/" 'Bearer writer-token')" 403
check "read-only: DELETE is 403" equals "$(taxii DELETE "$objects$(ind 1)/" 'Bearer reader-token')" 403
check "neither right: DELETE is 404" equals "$(taxii DELETE "$objects$(ind 1)/" 'Bearer nobody-token')" 404
check "neither right: GET objects is 404" equals "$(taxii GET "$objects" 'Bearer nobody-token')" 404
check "the object is still there" equals "$(taxii GET "$objects$(ind 1)/" 'Bearer reader-token')" 200
check "read + write: DELETE is 200" equals "$(taxii DELETE "$objects$(ind 1)/" 'Bearer both-token')" 200
check "then it is gone" equals "$(taxii GET "$objects$(ind 1)/" 'Bearer reader-token')" 404

# 4.3.1
printf '{"objects":[%s,{"type":"indicator","id":"bad","modified":"2026-03-01T00:00:00.000Z"},{"type":"x"}]}' \
  "$(indicator 3)" > "$work/post.json"
check "POST" equals "$(taxii POST "$objects" 'Bearer writer-token' -H "Content-Type: $media" --data-binary @"$work/post.json")" 202
check "status: one success, two failures" has "$work/body" '"success_count":1,"failure_count":2'
check "every status entry carries a version" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
entries = s.get("successes", []) + s.get("failures", [])
assert len(entries) == 3, entries
assert all(e.get("version") and e.get("id") for e in entries), entries
assert s["successes"][0]["version"].startswith("2026-01-01T00:00:00"), s
assert s["failures"][0]["version"] == "2026-03-01T00:00:00.000Z", s
' "$work/body"

# Unknown API roots
check "unknown root, no credentials: 401" equals "$(taxii GET /api9/ '')" 401
check "401 in the TAXII media type" has "$work/headers" "Content-Type: $media"
check "401 asks for credentials" has "$work/headers" "WWW-Authenticate:"
check "unknown root, credentials: 404" equals "$(taxii GET /api9/collections/ 'Bearer reader-token')" 404
check "404 in the TAXII media type" has "$work/headers" "Content-Type: $media"
check "the ingest routes still answer" equals "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_A/healthz")" 200

# 5.6
check "match[version] the object lacks: 200" \
  equals "$(taxii GET "$objects$(ind 2)/?match[version]=2030-01-01T00:00:00.000Z" 'Bearer reader-token')" 200
check "an empty envelope" equals "$(cat "$work/body")" '{"more":false}'
check "an unknown object is still 404" \
  equals "$(taxii GET "$objects$(ind 8)/?match[version]=2030-01-01T00:00:00.000Z" 'Bearer reader-token')" 404

# Token
check "Authorization: Token is accepted" equals "$(taxii GET /taxii2/ 'Token reader-token')" 200
check "a wrong Token is 401" equals "$(taxii GET /taxii2/ 'Token wrong')" 401
stop_serve A
check "vigie serve stops cleanly" equals "$STATUS" 0

echo "item 11 (TAXII conformance): $pass checks passed, $failures failed"
[ "$failures" -eq 0 ]
