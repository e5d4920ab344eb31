#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Issue 19 item 6, `indicators.misp_feeds` polled by vigie serve: two feeds, a directory
# and a URL (python3 http.server on loopback), read at start and again every
# misp_interval_seconds (1 here). At start, a broken entry (an event file that is not
# JSON, a manifest entry whose file is missing, or whose URL answers 404) is reported with
# its place and the rest of the feed is kept. During the run, a new event in the directory feed and a changed
# event (new timestamp, one more attribute) in the URL feed become indicators that match
# the next events, with the TLP of their MISP tags; a broken event added in the same poll
# is reported and does not stop the good one. The test waits on the "MISP feed imported"
# log lines, never on time.
# Usage: item06_misp_feed_polling_test.sh VIGIE SOURCE_DIR
set -u
vigie=$1
src=$2
. "$src/tests/serve/serve_lib.sh"
. "$src/tests/intel/intel_lib.sh"
token=intel-misp-token
uuid() { printf '%08d-0000-4000-8000-%012d' "$1" "$2"; }  # uuid EVENT ATTRIBUTE

# event_json EVENT TLP TIMESTAMP DOMAIN...: a MISP event with one domain attribute (for
# IDS) per DOMAIN, tagged TLP.
event_json() {
  local e=$1 tlp=$2 ts=$3 a=0 attributes="" d
  shift 3
  for d in "$@"; do
    a=$((a + 1))
    attributes+="${attributes:+,}{\"uuid\":\"$(uuid "$e" "$a")\",\"type\":\"domain\",\"value\":\"$d\",\"to_ids\":true,\"timestamp\":\"$ts\"}"
  done
  printf '{"Event":{"uuid":"%s","info":"event %s","Tag":[{"name":"tlp:%s"}],"Attribute":[%s]}}\n' \
    "$(uuid "$e" 0)" "$e" "$tlp" "$attributes"
}
# manifest DIR EVENT:TIMESTAMP...: writes DIR/manifest.json (renamed into place, as a
# feed generator would, so a poll never reads half of it).
manifest() {
  local dir=$1 entries="" e
  shift
  for e in "$@"; do entries+="${entries:+,}\"$(uuid "${e%:*}" 0)\":{\"info\":\"event ${e%:*}\",\"timestamp\":\"${e#*:}\"}"; done
  printf '{%s}\n' "$entries" >"$dir/manifest.tmp" && mv "$dir/manifest.tmp" "$dir/manifest.json"
}

# The directory feed: event 1 (GREEN), event 2 not JSON, event 3 missing.
mkdir -p "$work/dir-feed" "$work/web-feed"
event_json 1 green 1764633600 one.misp.example >"$work/dir-feed/$(uuid 1 0).json"
echo '{"Event": {"uuid": "not closed' >"$work/dir-feed/$(uuid 2 0).json"
manifest "$work/dir-feed" 1:1764633600 2:1764633600 3:1764633600
# The URL feed: event 5 (GREEN), event 8 missing (404).
event_json 5 green 1764633600 five.misp.example >"$work/web-feed/$(uuid 5 0).json"
manifest "$work/web-feed" 5:1764633600 8:1764633600
web_port=$(free_port)
python3 -m http.server "$web_port" --bind 127.0.0.1 --directory "$work/web-feed" >"$work/http.server.log" 2>&1 &
check "the URL feed is served" wait_until 10 curl -sf -o /dev/null "http://127.0.0.1:$web_port/manifest.json"
web="http://127.0.0.1:$web_port/"

cat >"$work/serve.yaml" <<YAML
rules: {paths: [$src/rules/windows], mapping: windows, cache_dir: $work/cache}
indicators:
  enabled: true
  store: $work/indicators.sqlite
  misp_feeds: [$work/dir-feed, "$web"]
  misp_interval_seconds: 1
alerts: {output: $work/alerts.jsonl}
spool: {directory: $work/spool}
agencies:
  - {id: demo, token_sha256: $(digest "$token")}
YAML
start_serve v "$work/serve.yaml" || exit 1
imported() { grep -F '"msg":"MISP feed imported"' "$work/v.log" | grep -F "\"origin\":\"$1\""; }
check "start: the directory feed's good event is imported" \
  grep -q '"events":3,.*"new":1' <<<"$(imported "$work/dir-feed")"
check "start: an event file that is not JSON is reported with its place" \
  grep -q "MISP attribute refused.*$work/dir-feed/$(uuid 2 0).json" "$work/v.log"
check "start: a missing event file is reported with its place" \
  grep -q "MISP attribute refused.*$work/dir-feed/$(uuid 3 0).json: cannot read" "$work/v.log"
check "start: the URL feed is imported" grep -q '"events":2,.*"new":1' <<<"$(imported "$web")"
check "start: an event the URL feed does not have is reported with its URL" \
  grep -q "MISP attribute refused.*$web$(uuid 8 0).json: HTTP status 404" "$work/v.log"

# hits DOMAIN: posts a DNS query for DOMAIN; "<indicator id> <TLP>" of each alert it raised.
hits() {
  local n
  n=$(date +%s%N)  # tells this event's alerts from an earlier one's
  printf '{"Event":{"System":{"EventID":22,"Computer":"ws-%s"},"EventData":{"QueryName":"%s"}}}\n' "$n" "$1" >"$work/event.ndjson"
  [ "$(post "$HTTP_v" "$token" "$work/event.ndjson" --max-time 30)" = 200 ] || { echo "POST refused"; return; }
  grep -F "\"ws-$n\"" "$work/alerts.jsonl" | python3 -c '
import json, sys
print(" ".join(sorted("%s %s" % (a["indicator"]["id"], a["indicator"]["tlp"]) for a in map(json.loads, sys.stdin) if "indicator" in a)))'
}
check "start: the directory feed's indicator matches" equals "$(hits one.misp.example)" "indicator--$(uuid 1 1) TLP:GREEN"
check "start: the URL feed's indicator matches" equals "$(hits five.misp.example)" "indicator--$(uuid 5 1) TLP:GREEN"
check "before the poll: the next event's domain matches nothing" equals "$(hits four.misp.example)" ""
check "before the poll: the next change's domain matches nothing" equals "$(hits six.misp.example)" ""

# During the run: event 4 (AMBER) and a broken event 7 added to the directory feed; event 5
# changed in the URL feed (a new timestamp, a second attribute, now RED).
event_json 4 amber 1764640800 four.misp.example >"$work/dir-feed/$(uuid 4 0).json"
echo '{"Event": []}' >"$work/dir-feed/$(uuid 7 0).json"
manifest "$work/dir-feed" 1:1764633600 2:1764633600 3:1764633600 4:1764640800 7:1764640800
event_json 5 red 1764640800 five.misp.example six.misp.example >"$work/web-feed/$(uuid 5 0).json"
manifest "$work/web-feed" 5:1764640800 8:1764633600
check "poll: the directory feed's new event is imported (the unchanged ones not read again)" \
  wait_until 20 eval 'imported "$work/dir-feed" | grep -q "\"events\":3,\"unchanged\":2,.*\"new\":1"'
check "poll: the broken new event is reported with its place" \
  grep -q "MISP attribute refused.*$work/dir-feed/$(uuid 7 0).json" "$work/v.log"
check "poll: the URL feed's changed event is read again" \
  wait_until 20 eval 'imported "$web" | grep -q "\"events\":2,\"unchanged\":0,.*\"new\":1,\"updated\":1"'
check "poll: the new event's indicator matches, with its TLP" \
  equals "$(hits four.misp.example)" "indicator--$(uuid 4 1) TLP:AMBER"
check "poll: the changed event's new attribute matches" equals "$(hits six.misp.example)" "indicator--$(uuid 5 2) TLP:RED"
check "poll: the changed event's old attribute takes its new TLP" \
  equals "$(hits five.misp.example)" "indicator--$(uuid 5 1) TLP:RED"
check "poll: the first event still matches" equals "$(hits one.misp.example)" "indicator--$(uuid 1 1) TLP:GREEN"
stop_serve v
check "exit 0 after SIGTERM" equals "$STATUS" 0
[ "$failures" -eq 0 ] || cat "$work/v.log"

# A feed that stops answering during a poll (a slow or hung MISP server) does not hold
# SIGTERM up: the poll in progress is aborted. The server answers the start-up read (an
# empty manifest), then holds every later request without an answer; the transfer limit
# (60 s) is far beyond the 20 s waited for the exit.
python3 - "$work/hang.port" "$work/hang.requests" <<'PY' &
import http.server, os, sys, threading, time
class Handler(http.server.BaseHTTPRequestHandler):
    count = 0
    def log_message(self, *unused): pass
    def do_GET(self):
        Handler.count += 1
        with open(sys.argv[2], "a") as log: log.write(self.path + "\n")
        if Handler.count > 1:
            threading.Event().wait()  # never answers: the hung feed under test
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers()
        self.wfile.write(b"{}")
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(sys.argv[1] + ".tmp", "w") as f: f.write(str(server.server_address[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
PY
check "the hung feed's server is up" wait_until 10 test -s "$work/hang.port"
sed -e "s|misp_feeds: .*|misp_feeds: [\"http://127.0.0.1:$(cat "$work/hang.port")/\"]|" \
  -e "s|$work/spool|$work/spool-hang|" -e "s|$work/indicators.sqlite|$work/hang.sqlite|" \
  "$work/serve.yaml" >"$work/hang.yaml"
start_serve h "$work/hang.yaml" || exit 1
check "hung feed: a poll is in progress (its request is held)" \
  wait_until 20 eval '[ "$(grep -c manifest.json "$work/hang.requests")" -ge 2 ]'
kill -TERM "$PID_h"
check "hung feed: SIGTERM is not held up by the poll" wait_until 20 eval '! kill -0 "$PID_h" 2>/dev/null'
kill -KILL "$PID_h" 2>/dev/null
wait "$PID_h"
check "hung feed: exit 0" equals "$?" 0
echo "item06_misp_feed_polling: $pass checks passed, $failures failed"
[ "$failures" -eq 0 ]
