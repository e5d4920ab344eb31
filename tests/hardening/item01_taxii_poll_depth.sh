#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Hardening item 1, TAXII pages: a real vigie serve polls a peer (a python3 server on
# loopback) whose page holds an indicator nested 100000 levels deep between two good ones.
# The deep object is refused by name ("objects[1]: nested deeper than N levels", with the
# peer and the page); the two good indicators are kept and matched; vigie serve keeps
# serving and stops cleanly.
set -u
vigie=$1
source_dir=$2
. "$source_dir/tests/serve/serve_lib.sh"

collection=c0000000-0000-4000-8000-0000000000d1
cat > "$work/peer.py" <<'PY'
import os, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
def indicator(n, extra=""):
    return ('{"type":"indicator","spec_version":"2.1","id":"indicator--d0000000-0000-4000-8000-00000000000%d",'
            '"created":"2026-11-30T09:00:00.000Z","modified":"2026-11-30T09:00:00.000Z",'
            '"pattern":"[domain-name:value = \'deep%d.example\']","pattern_type":"stix",'
            '"valid_from":"2026-11-30T09:00:00Z","object_marking_refs":["%s"]%s}' % (n, n, GREEN, extra))
deep = 100000
PAGE = ('{"more":false,"objects":[' + indicator(1) + ',' +
        indicator(2, ',"x_deep":' + '[' * deep + ']' * deep) + ',' + indicator(3) + ']}').encode()
class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass
    def do_GET(self):
        body = PAGE if "added_after" not in self.path else b'{"more":false}'
        self.send_response(200)
        self.send_header("Content-Type", "application/taxii+json;version=2.1")
        self.send_header("X-TAXII-Date-Added-Last", "2026-12-01T00:00:00.000000Z")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
PY
python3 "$work/peer.py" "$work/peer.port" &
peer_pid=$!
wait_until 10 test -s "$work/peer.port" || { echo "FAIL: the peer did not start"; exit 1; }
peer_port=$(cat "$work/peer.port")
printf 'peer-token' > "$work/token"
cat > "$work/vigie.yaml" <<YAML
rules:
  paths: [$source_dir/rules/windows]
  cache_dir: $work/cache
alerts: {output: $work/alerts.jsonl}
spool: {directory: $work/spool}
indicators:
  enabled: true
  store: $work/indicators.sqlite
agencies:
  - id: hospital
    token_sha256: $(digest hospital-token)
federation:
  identity: identity--b0000000-0000-4000-8000-00000000000b
  name: CERT-B
  peers:
    - id: deep-peer
      url: http://127.0.0.1:$peer_port/api1/
      collection: $collection
      token_file: $work/token
      interval_seconds: 1
      max_page_bytes: 4194304
YAML
start_serve B "$work/vigie.yaml" || exit 1
wait_until 20 log_has "$work/B.log" '"msg":"federation: polled","peer":"deep-peer"'
check "the page is polled: 3 objects, 1 refused" \
  has "$work/B.log" '"msg":"federation: polled","peer":"deep-peer","pages":1,"objects":3,"refused":1'
check "the deep object is refused by name, with the peer and the page" \
  has "$work/B.log" "federation peer deep-peer http://127.0.0.1:$peer_port/api1/collections/$collection/objects/?limit=1000: objects[1]: nested deeper than 64 levels"
printf '{"Event":{"System":{"EventID":22,"Computer":"h1"},"EventData":{"QueryName":"deep1.example"}}}\n{"Event":{"System":{"EventID":22,"Computer":"h3"},"EventData":{"QueryName":"deep3.example"}}}\n{"Event":{"System":{"EventID":22,"Computer":"h2"},"EventData":{"QueryName":"deep2.example"}}}\n' > "$work/events.ndjson"
# A sentinel last: alerts are written in event order, so once its alert is there, an alert
# for deep2 (wrongly kept) would be there too.
printf '{"Event":{"System":{"EventID":22,"Computer":"sentinel"},"EventData":{"QueryName":"deep1.example"}}}\n' >> "$work/events.ndjson"
check "events are accepted" equals "$(post "$HTTP_B" hospital-token "$work/events.ndjson")" 200
check "the sentinel event alerts" wait_until 10 log_has "$work/alerts.jsonl" '"Computer":"sentinel"'
check "both good indicators match" \
  equals "$(grep -o 'indicator--d0000000-0000-4000-8000-00000000000[0-9]' "$work/alerts.jsonl" | sort -u | tr '\n' ' ')" \
  "indicator--d0000000-0000-4000-8000-000000000001 indicator--d0000000-0000-4000-8000-000000000003 "
check "vigie serve still answers /healthz" \
  equals "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_B/healthz")" 200
stop_serve B
check "and stops cleanly (exit 0)" equals "$STATUS" 0
kill "$peer_pid"
wait "$peer_pid" 2>/dev/null
[ "$failures" -eq 0 ] || grep -v '"level":"info"' "$work/B.log" | cut -c1-400 | tail -5

echo "item01 taxii poll depth: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
