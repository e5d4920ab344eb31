#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Hardening item 7: connection slots cannot be held without a token. A real vigie serve
# with max_connections: 4. Four clients polling GET /healthz over keep-alive and 300
# half-open sockets (a request line and half a header, never finished) are held open while
# an agency POSTs 15 times: all 15 are answered 200 (a newcomer takes the slot of the
# unauthenticated connection idle longest; vigie_http_evicted_connections_total counts it).
# 100 idle connections held on the metrics listener (64 slots) do not stop a scrape: it is
# answered while at least 50 of them are still held (it did not wait for them to time
# out). The server still serves once the clients are gone, and stops cleanly.
set -u
vigie=$1
source_dir=$2
. "$source_dir/tests/serve/serve_lib.sh"

cat > "$work/vigie.yaml" <<YAML
http:
  max_connections: 4
rules: {paths: [$source_dir/rules/windows], cache_dir: $work/cache}
alerts: {output: $work/alerts.jsonl}
$(demo_agency)
YAML
start_serve A "$work/vigie.yaml" || exit 1

# hold.py PORT HOLD_FILE KEEPALIVE HALF_OPEN IDLE: opens the connections, prints "ready" once
# all are open and every keep-alive client has had an answer, and keeps them so (keep-alive
# clients poll /healthz again and again, reconnecting when closed) until HOLD_FILE is gone.
cat > "$work/hold.py" <<'PY'
import http.client, os, socket, sys, threading
port, hold = int(sys.argv[1]), sys.argv[2]
keepalive, half_open, idle = (int(n) for n in sys.argv[3:6])
answered = threading.Semaphore(0)
def poll():
    first = True
    while os.path.exists(hold):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            while os.path.exists(hold):
                c.request("GET", "/healthz", headers={"Connection": "keep-alive"})
                c.getresponse().read()
                if first:
                    answered.release()
                    first = False
        except (OSError, http.client.HTTPException):
            pass  # closed by vigie (its slot given to a newcomer): connect again
threads = [threading.Thread(target=poll, daemon=True) for _ in range(keepalive)]
for t in threads:
    t.start()
for _ in range(keepalive):
    answered.acquire()
socks = []
for i in range(half_open + idle):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    if i < half_open:
        s.sendall(b"POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le")
    socks.append(s)
print("ready", flush=True)
while os.path.exists(hold):
    threading.Event().wait(0.05)  # poll interval: the condition is HOLD_FILE gone
still_open = 0
for s in socks[half_open:]:  # the idle ones: not closed by the server meanwhile?
    s.setblocking(False)
    try:
        still_open += 0 if s.recv(1) == b"" else 1
    except BlockingIOError:
        still_open += 1
print("idle still open:", still_open, flush=True)
PY
# wait_ready FILE: until hold.py said "ready" (bounded).
wait_ready() { wait_until 30 log_has "$1" ready; }

touch "$work/hold"
python3 "$work/hold.py" "$HTTP_A" "$work/hold" 4 300 0 > "$work/held" 2>&1 &
holder=$!
check "4 keep-alive /healthz pollers and 300 half-open sockets held" wait_ready "$work/held"
printf '%s\n' '{"EventID":1,"Image":"C:\\a.exe"}' > "$work/one.ndjson"
ok=0
for i in $(seq 1 15); do
  [ "$(post "$HTTP_A" demo-token "$work/one.ndjson" --max-time 30)" = 200 ] && ok=$((ok + 1))
done
check "15 of 15 agency POSTs answered 200 while they are held" equals "$ok" 15
check "the pollers are still running" kill -0 "$holder"

# The metrics listener: 100 idle connections held, a scrape still answers.
touch "$work/hold_metrics"
python3 "$work/hold.py" "$METRICS_A" "$work/hold_metrics" 0 0 100 > "$work/held_metrics" 2>&1 &
check "100 idle connections held on the metrics listener" wait_ready "$work/held_metrics"
code=$(curl -s -o "$work/metrics" -w '%{http_code}' --max-time 60 "http://127.0.0.1:$METRICS_A/metrics")
check "a scrape still answers 200" equals "$code" 200
rm -f "$work/hold_metrics"
wait_until 30 log_has "$work/held_metrics" 'idle still open'
# Not after they timed out: while most were still held (the oldest gave their slots).
still=$(sed -nE 's/idle still open: ([0-9]+)/\1/p' "$work/held_metrics")
check "  while ${still:-no} of the 100 idle connections were still held" test "${still:-0}" -ge 50

# The HTTP counters are folded into the metrics about once a second: poll (bounded).
evicted_count() {
  curl -s --max-time 10 "http://127.0.0.1:$METRICS_A/metrics" |
    sed -nE 's/^vigie_http_evicted_connections_total ([0-9.e+]+)$/\1/p'
}
some_evicted() { evicted=$(evicted_count); python3 -c "import sys; sys.exit(0 if float('${evicted:-0}') > 0 else 1)"; }
wait_until 10 some_evicted
check "evicted idle connections are counted (${evicted:-none})" some_evicted
rm -f "$work/hold" "$work/hold_metrics"
wait "$holder" 2>/dev/null

check "served once they are gone" \
  equals "$(post "$HTTP_A" demo-token "$work/one.ndjson" --max-time 60)" 200
stop_serve A
check "and stops cleanly (exit 0)" equals "$STATUS" 0
[ "$failures" -eq 0 ] || tail -5 "$work/A.log" | cut -c1-300

echo "item07 connection slots: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
