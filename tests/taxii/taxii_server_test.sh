#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# vigie serve's TAXII 2.1 server, end to end: a real vigie serve on free loopback ports,
# driven with curl. Discovery, collections, the seeded bundle, pagination with next over
# more than two pages, added_after, match filters, POST and its status, every status code,
# TLP (a peer not cleared for AMBER never gets it; AMBER+STRICT and RED never leave, by
# list, by id, in versions, in the manifest) and persistence across a restart.
set -u
vigie=$1
source_dir=$2
. "$source_dir/tests/serve/serve_lib.sh"

sed -e "s|@WORK@|$work|g" -e "s|@SOURCE@|$source_dir|g" "$source_dir/tests/taxii/taxii-test.yaml" \
  > "$work/vigie.yaml"
start_serve A "$work/vigie.yaml" || exit 1
collection=91a7b528-80eb-42ed-a74d-c6fbd5a26116
media='application/taxii+json;version=2.1'
ind() { printf 'indicator--%08x-5b1c-4e2d-8f3a-1c2d3e4f5a6b' "$1"; }
amber=(-u amber:cert-amber-pw)
partner=(-H 'Authorization: Bearer partner-token')
other=(-H 'Authorization: Bearer password')

# taxii PORT PATH [curl options...]: the status on stdout, body in $work/body, headers in
# $work/headers. -g: the brackets of match[...] are sent as they are.
taxii() {
  local port=$1 path=$2; shift 2
  curl -sg -o "$work/body" -D "$work/headers" -w '%{http_code}' -H "Accept: $media" "$@" \
    "http://127.0.0.1:$port$path"
}
objects="/api1/collections/$collection/objects/"
ids_seen() { grep -o '"id":"indicator--[0-9a-f-]*"' "$work/body" | sort -u | wc -l; }
port=$HTTP_A

check "discovery" equals "$(taxii $port /taxii2/ "${partner[@]}")" 200
check "discovery lists api1" has "$work/body" '"api_roots":["/api1/"]'
check "media type" has "$work/headers" "Content-Type: $media"
check "api root" equals "$(taxii $port /api1/ "${partner[@]}")" 200
check "collections" equals "$(taxii $port /api1/collections/ "${partner[@]}")" 200
check "collections list the collection" has "$work/body" "\"id\":\"$collection\""

# Seeded: CLEAR (1), GREEN (2, two versions), AMBER (3), AMBER+STRICT (4), RED (5),
# unmarked (6, default AMBER).
check "amber: GET $objects answers 200" equals "$(taxii $port "$objects" "${amber[@]}")" 200
check "amber peer: CLEAR, GREEN, AMBER, unmarked" equals "$(ids_seen)" 4
for n in 4 5; do check "amber peer never gets $(ind $n) in the list" \
  bash -c "! grep -q $(ind $n) $work/body"; done
check "partner: GET $objects answers 200" equals "$(taxii $port "$objects" "${partner[@]}")" 200
check "partner: CLEAR and GREEN only" equals "$(ids_seen)" 2
for n in 3 4 5 6; do
  check "partner never gets $(ind $n) in the list" bash -c "! grep -q $(ind $n) $work/body"
  check "partner: $(ind $n) by id is 404" equals "$(taxii $port "$objects$(ind $n)/" "${partner[@]}")" 404
  check "partner: $(ind $n) versions is 404" \
    equals "$(taxii $port "$objects$(ind $n)/versions/" "${partner[@]}")" 404
done
for n in 4 5; do
  check "amber: $(ind $n) by id is 404" equals "$(taxii $port "$objects$(ind $n)/" "${amber[@]}")" 404
  check "amber: $(ind $n) versions is 404" \
    equals "$(taxii $port "$objects$(ind $n)/versions/" "${amber[@]}")" 404
done
check "amber: AMBER by id" equals "$(taxii $port "$objects$(ind 3)/" "${amber[@]}")" 200
check "amber: unmarked by id (default AMBER)" equals "$(taxii $port "$objects$(ind 6)/" "${amber[@]}")" 200
check "partner: GET /api1/collections/$collection/manifest/ answers 200" equals "$(taxii $port "/api1/collections/$collection/manifest/" "${partner[@]}")" 200
check "partner's manifest: 2 indicators" equals "$(ids_seen)" 2
check "amber: GET /api1/collections/$collection/manifest/ answers 200" equals "$(taxii $port "/api1/collections/$collection/manifest/" "${amber[@]}")" 200
for n in 4 5; do check "manifest never lists $(ind $n)" bash -c "! grep -q $(ind $n) $work/body"; done
check "versions of a GREEN indicator" equals "$(taxii $port "$objects$(ind 2)/versions/" "${partner[@]}")" 200
check "two versions" has "$work/body" '"versions":["2024-03-04T09:00:00.000000Z","2024-03-06T10:00:00.000000Z"]'

# match filters
check "partner: GET $objects?match[type]=identity answers 200" equals "$(taxii $port "$objects?match[type]=identity" "${partner[@]}")" 200
check "match[type]=identity" has "$work/body" '"type":"identity"'
check "match[type] leaves indicators out" bash -c "! grep -q indicator-- $work/body"
check "partner: GET $objects?match[id]=$(ind 2)&match[version]=all answers 200" equals "$(taxii $port "$objects?match[id]=$(ind 2)&match[version]=all" "${partner[@]}")" 200
check "match[id] + match[version]=all" equals "$(grep -o '"modified"' "$work/body" | wc -l)" 2
check "partner: GET $objects?match%5Bid%5D=$(ind 2)&match%5Bversion%5D=first answers 200" equals "$(taxii $port "$objects?match%5Bid%5D=$(ind 2)&match%5Bversion%5D=first" "${partner[@]}")" 200
check "match[version]=first (encoded)" has "$work/body" '"modified":"2024-03-04T09:00:00.000Z"'

# POST: 9 GREEN indicators, one bad object; then pages of 2 with next.
green=marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb
{
  printf '{"objects":['
  for n in $(seq 100 108); do
    printf '{"type":"indicator","spec_version":"2.1","id":"%s","created":"2024-04-01T00:00:00.000Z","modified":"2024-04-01T00:00:00.000Z","pattern":"[domain-name:value = '"'"'p%s.example'"'"']","pattern_type":"stix","valid_from":"2024-04-01T00:00:00Z","object_marking_refs":["%s"]},' "$(ind $n)" "$n" "$green"
  done
  printf '{"type":"indicator","id":"not-an-id"}]}'
} > "$work/envelope.json"
check "POST" equals "$(taxii $port "$objects" "${amber[@]}" -X POST -H "Content-Type: $media" --data-binary @"$work/envelope.json")" 202
check "status: 9 of 10" has "$work/body" '"total_count":10,"success_count":9,"failure_count":1'
status_id=$(sed -nE 's/^\{"id":"([0-9a-f-]+)".*/\1/p' "$work/body")
check "GET status" equals "$(taxii $port "/api1/status/$status_id/" "${amber[@]}")" 200
check "status complete" has "$work/body" '"status":"complete"'
check "another peer's status is 404" equals "$(taxii $port "/api1/status/$status_id/" "${partner[@]}")" 404

pages=0 seen=0 next=""
while :; do
  query="?limit=2&match[type]=indicator"
  [ -n "$next" ] && query="$query&next=$next"
  [ "$(taxii $port "$objects$query" "${partner[@]}")" = 200 ] || break
  pages=$((pages + 1)); seen=$((seen + $(grep -o '"type":"indicator"' "$work/body" | wc -l)))
  next=$(sed -nE 's/.*"next":"([^"]*)".*/\1/p' "$work/body")
  grep -q '"more":true' "$work/body" || break
  [ $pages -lt 20 ] || break
done
check "pagination: 6 pages of 2" equals "$pages" 6   # 11 GREEN/CLEAR indicator versions: 2+9
check "pagination: every visible indicator once" equals "$seen" 11
check "partner: GET $objects?match[type]=indicator&limit=3 answers 200" equals "$(taxii $port "$objects?match[type]=indicator&limit=3" "${partner[@]}")" 200
last=$(sed -nE 's/^X-TAXII-Date-Added-Last: ([^\r]*)\r?$/\1/p' "$work/headers")
check "X-TAXII-Date-Added-Last" test -n "$last"
check "partner: GET $objects?match[type]=indicator&added_after=$last answers 200" equals "$(taxii $port "$objects?match[type]=indicator&added_after=$last" "${partner[@]}")" 200
check "added_after: the rest" equals "$(grep -o '"type":"indicator"' "$work/body" | wc -l)" 8

# Status codes
check "401 without credentials" equals "$(taxii $port /taxii2/)" 401
check "401 WWW-Authenticate" has "$work/headers" 'WWW-Authenticate: Basic'
check "401 wrong password" equals "$(taxii $port /taxii2/ -u amber:wrong)" 401
check "403 no write right" equals "$(taxii $port "$objects" "${partner[@]}" -X POST -H "Content-Type: $media" --data-binary '{"objects":[]}')" 403
check "404 no right at all (the collection is, for it, absent)" equals "$(taxii $port "$objects" "${other[@]}")" 404
check "404 root" equals "$(taxii $port /api9/ "${partner[@]}")" 404
check "404 collection" equals "$(taxii $port /api1/collections/00000000-0000-4000-8000-000000000000/ "${partner[@]}")" 404
check "406" equals "$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept: application/json' "${partner[@]}" http://127.0.0.1:$port/taxii2/)" 406
head -c 70000 /dev/zero | tr '\0' ' ' > "$work/big.json"
check "413" equals "$(taxii $port "$objects" "${amber[@]}" -X POST -H "Content-Type: $media" --data-binary @"$work/big.json")" 413
check "415" equals "$(taxii $port "$objects" "${amber[@]}" -X POST -H 'Content-Type: application/json' --data-binary '{"objects":[]}')" 415
check "422" equals "$(taxii $port "$objects" "${amber[@]}" -X POST -H "Content-Type: $media" --data-binary '{"type":"bundle"}')" 422
check "the ingest routes still answer" equals "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$port/healthz)" 200

# Persistence: the posted objects are there after a restart (the seed is not added twice).
stop_serve A
check "exit 0" equals "$STATUS" 0
start_serve B "$work/vigie.yaml" || exit 1
check "partner: GET $objects$(ind 104)/ answers 200" equals "$(taxii $HTTP_B "$objects$(ind 104)/" "${partner[@]}")" 200
check "a posted object survives a restart" has "$work/body" "$(ind 104)"
check "amber: GET $objects?match[version]=all&match[type]=indicator&limit=100 answers 200" equals "$(taxii $HTTP_B "$objects?match[version]=all&match[type]=indicator&limit=100" "${amber[@]}")" 200
check "the seed is not added twice" equals "$(grep -o '"type":"indicator"' "$work/body" | wc -l)" 14
check "log: seeded" has "$work/B.log" '"already_there":8'
stop_serve B
check "B exits 0" equals "$STATUS" 0

echo "taxii server: $pass checks passed, $failures failed"
[ "$failures" -eq 0 ]
