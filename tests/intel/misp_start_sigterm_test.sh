#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# SIGTERM while vigie serve reads its MISP feeds at start-up (review of issue 19's serve
# changes). Start-up runs with the stop signals blocked (they are handled once serving),
# and the first read of indicators.misp_feeds had no way to be cancelled: with a hung feed
# each event's transfer ran to its 60 s limit before a SIGTERM was seen (3 events: 3
# minutes). Now the read is cancelled and vigie exits 0, saying it stopped during start-up.
# The feed here answers its manifest (3 events) and holds every event request unanswered.
# Usage: misp_start_sigterm_test.sh VIGIE SOURCE_DIR
set -u
vigie=$1
source_dir=$2
. "$source_dir/tests/serve/serve_lib.sh"

python3 - "$work/feed.port" "$work/feed.requests" <<'PY' &
import http.server, json, os, sys, threading
EVENTS = ["5c3a0000-0000-4000-8000-00000000000%d" % i for i in (1, 2, 3)]
class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *unused): pass
    def do_GET(self):
        with open(sys.argv[2], "a") as log: log.write(self.path + "\n")
        if not self.path.endswith("manifest.json"):
            threading.Event().wait()  # never answers: the hung feed under test
        body = json.dumps({u: {"timestamp": "1700000000", "info": "hung"} for u in EVENTS}).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(sys.argv[1] + ".tmp", "w") as f: f.write(str(server.server_address[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
PY
check "the hung feed's server is up" wait_until 10 test -s "$work/feed.port"
mkdir -p "$work/spool"
cat > "$work/serve.yaml" <<YML
rules: {paths: [$source_dir/rules/windows], cache_dir: $work/cache}
spool: {directory: $work/spool}
indicators:
  enabled: true
  misp_feeds: ["http://127.0.0.1:$(cat "$work/feed.port")/"]
YML
"$vigie" serve --config "$work/serve.yaml" --http-listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0 \
  2> "$work/serve.log" &
pid=$!
check "start-up reads an event of the feed (its request is held)" \
  wait_until 30 eval 'grep -q "5c3a0000" "$work/feed.requests" 2>/dev/null'
kill -TERM "$pid"
# The transfer limit (60 s per event) is far beyond the 20 s waited for the exit.
check "SIGTERM during the start-up read: vigie exits" wait_until 20 eval '! kill -0 "$pid" 2>/dev/null'
kill -KILL "$pid" 2>/dev/null
wait "$pid"
status=$?
check "exit 0 (got $status)" equals "$status" 0
check "it says it stopped during start-up" has "$work/serve.log" '"msg":"stopped during start-up"'
check "it never served" bash -c "! grep -q '\"msg\":\"serving\"' '$work/serve.log'"
check "one event was requested, not the three" equals "$(grep -c 5c3a0000 "$work/feed.requests")" 1
[ "$failures" -eq 0 ] || cat "$work/serve.log"
echo "misp_start_sigterm: $pass checks passed, $failures failed"
[ "$failures" -eq 0 ]
