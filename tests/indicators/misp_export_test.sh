#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# vigie indicators import/export: a MISP feed (directory, then the same feed over HTTP
# from a local python3 http.server) mapped to STIX indicators with MISP's TLP tags (an
# attribute's tag over its event's); attributes not for IDS skipped, bad ones refused
# with their place, a manifest naming a path outside the feed refused; the export never
# lets TLP:RED or AMBER+STRICT out, and AMBER only with --amber.
set -u
vigie=$1
here=$(dirname "$0")
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
. "$here/../support/check_lib.sh"

"$vigie" indicators import --store "$work/a.sqlite" --misp "$here/misp" 2>"$work/err"
check "a feed with refused attributes exits 1" equals "$?" 1
check "the summary counts events, attributes, indicators, skipped, refused" \
  has "$work/err" "1 MISP events, 6 attributes, 3 indicators (3 new, 0 updated, 0 already known), 1 skipped (not for IDS or no observable), 3 refused"
check "a bad attribute is refused with its place and uuid" \
  has "$work/err" "5f7c1a2e-0000-4000-8000-000000000001.json: rule 6a000000-0000-4000-8000-000000000004: Event.Attribute[3]: timestamp: not seconds since the epoch"
check "a manifest entry that is not a uuid never becomes a path" \
  has "$work/err" "manifest.json: '../../etc/passwd' is not an event uuid"

ids() { python3 -c 'import json,sys; print(" ".join(sorted(o["id"][-4:] for o in json.load(sys.stdin)["objects"])))'; }
check "export to a peer: GREEN only (the RED attribute tag wins over the event's GREEN)" \
  equals "$("$vigie" indicators export --store "$work/a.sqlite" 2>/dev/null | ids)" "0001 0005"

# The STIX side: GREEN (0001), unmarked = default AMBER (0002, 0004-0007), RED (0003).
"$vigie" indicators import --store "$work/s.sqlite" --stix "$here/bundle.json" 2>"$work/err"
check "the bundle with one bad pattern imports the rest, exit 1" equals "$?" 1
check "the bundle's summary" has "$work/err" "7 objects, 6 indicators (6 new, 0 updated, 0 already known, 1 not matched per event), 1 refused"
check "export without --amber: CLEAR and GREEN only" \
  equals "$("$vigie" indicators export --store "$work/s.sqlite" 2>/dev/null | ids)" "0001"
check "export with --amber: AMBER too, RED never" \
  equals "$("$vigie" indicators export --store "$work/s.sqlite" --amber 2>/dev/null | ids)" "0001 0002 0004 0005 0007"
"$vigie" indicators import --store "$work/g.sqlite" --stix "$here/bundle.json" --default-tlp green 2>"$work/err"
check "--default-tlp green: the same 6 indicators" has "$work/err" "6 indicators (6 new"
check "unmarked objects take the configured default TLP" \
  equals "$("$vigie" indicators export --store "$work/g.sqlite" 2>/dev/null | ids)" "0001 0002 0004 0005 0007"
sed 's/bab4a63c-aed9-4cf5-a766-dfca5abac2bb/939a9414-2ddd-4d32-a0cd-375ea402b003/' "$here/bundle.json" >"$work/strict.json"
"$vigie" indicators import --store "$work/x.sqlite" --stix "$work/strict.json" 2>"$work/err"
check "the AMBER+STRICT bundle: the same 6 indicators" has "$work/err" "6 indicators (6 new"
check "AMBER+STRICT never leaves, even with --amber" \
  equals "$("$vigie" indicators export --store "$work/x.sqlite" --amber 2>/dev/null | ids)" "0002 0004 0005 0007"

# The same feed over HTTP (loopback), and its indicators matched by vigie scan; beside it
# a feed whose manifest names an event file the server does not have (404).
mkdir -p "$work/www/gaps"
cp -r "$here/misp" "$work/www/feed"
cp "$here/misp/5f7c1a2e-0000-4000-8000-000000000001.json" "$work/www/gaps/"
printf '%s\n' '{"5f7c1a2e-0000-4000-8000-0000000000ff": {"info": "gone"},' \
  ' "5f7c1a2e-0000-4000-8000-000000000001": {"info": "Phishing wave"}}' >"$work/www/gaps/manifest.json"
port=$(free_port)
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/www" >/dev/null 2>&1 &
server=$!
wait_until 10 curl -sf -o /dev/null "http://127.0.0.1:$port/feed/manifest.json" ||
  echo "FAIL: the feed's HTTP server did not answer"
"$vigie" indicators import --store "$work/h.sqlite" --misp "http://127.0.0.1:$port/feed/" 2>"$work/err"
check "over HTTP: refused attributes, exit 1" equals "$?" 1
check "the feed over HTTP gives the same indicators" has "$work/err" "1 MISP events, 6 attributes, 3 indicators (3 new"
"$vigie" indicators import --store "$work/m.sqlite" --misp "http://127.0.0.1:$port/gaps/" 2>"$work/err"
check "a missing event file over HTTP is reported with its URL and status" \
  has "$work/err" "http://127.0.0.1:$port/gaps/5f7c1a2e-0000-4000-8000-0000000000ff.json: HTTP status 404"
check "a missing event file is not fatal: the next event is read" \
  has "$work/err" "2 MISP events, 6 attributes, 3 indicators (3 new"
mkdir "$work/rules"
printf '%s\n' '{"Event":{"System":{"EventID":22,"Computer":"h1"},"EventData":{"QueryName":"login-portal.bad.example"}}}' \
  '{"Event":{"System":{"EventID":3,"Computer":"h2"},"EventData":{"DestinationIp":"198.51.100.23"}}}' >"$work/events.ndjson"
"$vigie" scan --rules "$work/rules" --indicator-store "$work/h.sqlite" --format jsonl "$work/events.ndjson" \
  >"$work/alerts.jsonl" 2>/dev/null
check "the scan with MISP indicators exits 0" equals "$?" 0
check "MISP indicators fire: the domain (GREEN) and the IP (RED)" \
  equals "$(python3 -c 'import json,sys; print(" ".join(json.loads(l)["indicator"]["tlp"] for l in open(sys.argv[1])))' "$work/alerts.jsonl")" "TLP:GREEN TLP:RED"

echo "misp_export: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
