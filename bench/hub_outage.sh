#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# A hub outage under sustained load: a paced HTTP sender posts numbered events
# (samples/windows-sysmon.ndjson with "seq":N, every one alerted by
# tests/nats/rules/numbered_event.yml: one alert per event) to `vigie serve` at RATE
# events/s, whose only output is a NATS hub (so every alert goes through the spool).
# LEAD seconds after the start the hub (nats-server) is killed (-9, its store kept), it is
# started again OUTAGE_SECONDS later on the same port and store, and the load goes on for
# TAIL seconds. Reports:
#   - the spool's peak size (vigie_spool_bytes sampled every second) and peak pending alerts;
#   - the catch-up: from the hub's return until the backlog is gone (alerts pending for the
#     hub under half a second of load, and the hub's stream within half a second of load of
#     the events accepted; the forwarder's retry backoff, up to 30 s, is part of it), and
#     how long after the load's end every alert is in the hub (pending 0);
#   - alerts lost (seqs sent and accepted with no alert in the hub: must be 0) and alerts
#     twice in the hub stream (0), read back from the stream with vigie-nats-tool hub-check;
#   - requests refused (503: spool full) and retried by the sender.
# The timeline (one line a second) is kept in build/bench/hub-outage/timeline.tsv.
#
#   bench/hub_outage.sh [OUTAGE_SECONDS (600)] [RATE (1000)] [BUILD_DIR (build)]
#   environment: LEAD (10), TAIL (60), SPOOL_MAX_BYTES (8 GiB), BATCH (events per POST, 100)
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
outage=${1:-600}
rate=${2:-1000}
build=$(realpath "${3:-$here/build}")
lead=${LEAD:-10}
tail_s=${TAIL:-60}
spool_max=${SPOOL_MAX_BYTES:-$((8 << 30))}
batch=${BATCH:-100}
vigie=$build/vigie
tool=$build/vigie-nats-tool
for f in "$vigie" "$tool"; do
  [ -x "$f" ] || { echo "missing $f: cmake --build $build -j2 --target vigie vigie-nats-tool"; exit 1; }
done
command -v nats-server > /dev/null || { echo "nats-server is not installed"; exit 1; }
work=$build/bench/hub-outage
rm -rf "$work"; mkdir -p "$work"
pids=() hub_pid="" vigie_pid=""
cleanup() {
  for p in "${pids[@]}" $hub_pid $vigie_pid; do kill -KILL "$p" 2> /dev/null; done
  wait 2> /dev/null
  rm -rf "$work/spool" "$work/hub-store"
}
trap cleanup EXIT
. "$here/bench/serve_bench_lib.sh"

hub_port=$(free_port)
hub_url=nats://127.0.0.1:$hub_port
start_hub() {
  nats-server -js -a 127.0.0.1 -p "$hub_port" -sd "$work/hub-store" >> "$work/hub.log" 2>&1 &
  hub_pid=$!
  wait_port "$hub_port" || { cat "$work/hub.log"; echo "the hub did not start"; exit 1; }
}
start_hub
# Re-sent alerts (same Nats-Msg-Id) are dropped within the duplicate window.
"$tool" hub-stream --url "$hub_url" --stream ALERTS --subjects 'alerts.>' \
  --duplicate-window $((lead + outage + tail_s + 1800)) > /dev/null || exit 1

token=hub-outage-token
cat > "$work/vigie.yaml" <<YML
rules: {paths: [$here/tests/nats/rules], mapping: flat, cache_dir: $work/cache}
engine: {threads: 0}
alerts:
  format: jsonl
  outputs:
    - {name: hub, type: nats, url: $hub_url, subject_prefix: alerts}
spool: {directory: $work/spool, max_bytes: $spool_max}
agencies:
  - id: demo
    token_sha256: $(printf %s "$token" | sha256sum | cut -d' ' -f1)
    rate_limit: {events_per_second: 100000000, burst: 100000000}
log: {level: info}
YML
start_serve_bench "$vigie" "$work/vigie.yaml" "$work/vigie.log"
vigie_pid=$SERVE_PID port=$SERVE_HTTP metrics=$SERVE_METRICS

# The paced sender: BATCH events a POST, event n due at n / RATE s; a refused POST (503,
# 429) is sent again after its Retry-After until accepted, so the seqs accepted are 1..N.
cat > "$work/sender.py" <<'PY'
import http.client, json, os, sys, time
port, token, rate, batch, duration, sample, out = sys.argv[1:8]
rate, batch, duration = float(rate), int(batch), float(duration)
lines = [l.strip() for l in open(sample) if l.strip().startswith("{")]
conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=60)
headers = {"Authorization": "Bearer " + token, "Content-Type": "application/x-ndjson"}
seq = accepted = refused = 0
max_behind = 0.0
start = time.monotonic()
while time.monotonic() - start < duration:
    due = start + seq / rate
    delay = due - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    else:
        max_behind = max(max_behind, -delay)
    body = "".join('{"seq":%d,%s\n' % (n, lines[n % len(lines)][1:])
                   for n in range(seq + 1, seq + batch + 1)).encode()
    while True:
        try:
            conn.request("POST", "/v1/events", body, headers)
            r = conn.getresponse()
            r.read()
            if r.status == 200:
                break
            refused += 1
            time.sleep(float(r.getheader("Retry-After", "1") or 1))
        except (OSError, http.client.HTTPException):
            refused += 1
            conn.close()
            time.sleep(1)
    seq += batch
    accepted += batch
    with open(out + ".progress.tmp", "w") as f:
        f.write("%d\n" % accepted)
    os.replace(out + ".progress.tmp", out + ".progress")
json.dump({"accepted": accepted, "refused": refused, "seconds": round(time.monotonic() - start, 1),
           "max_behind_seconds": round(max_behind, 1)}, open(out, "w"))
PY

# The sampler: one line a second: t, spool bytes, pending alerts, oldest pending s,
# delivered (vigie's metrics), events accepted so far (the sender), alerts in the hub
# stream (-1 while it is down).
sample() {
  local accepted in_hub
  accepted=$(cat "$work/sender.json.progress" 2> /dev/null || echo 0)
  in_hub=$("$tool" subject-count --url "$hub_url" --stream ALERTS --subject 'alerts.>' 2> /dev/null || echo -1)
  curl -s --max-time 2 "http://127.0.0.1:$metrics/metrics" | awk -v t="$1" -v a="$accepted" -v h="$in_hub" '
    /^vigie_spool_bytes / {b = $2} /^vigie_spool_pending_alerts/ {p += $2}
    /^vigie_spool_oldest_unforwarded_seconds/ {if ($2 > o) o = $2}
    /^vigie_output_delivered_total/ && /hub/ {d += $2}
    END {printf "%s\t%.0f\t%.0f\t%.1f\t%.0f\t%s\t%s\n", t, b, p, o, d, a, h}'
}
t_start=$(now)
printf 't\tspool_bytes\tpending\toldest_s\tdelivered\taccepted\tin_hub\n' > "$work/timeline.tsv"
(while :; do sample "$(elapsed "$t_start")" >> "$work/timeline.tsv"; sleep 1; done) &
sampler=$!
pids+=($sampler)
duration=$((lead + outage + tail_s))
echo "hub outage: $rate events/s (1 alert each) for $duration s, hub down from ${lead} s for $outage s" >&2
python3 "$work/sender.py" "$port" "$token" "$rate" "$batch" "$duration" \
  "$here/samples/windows-sysmon.ndjson" "$work/sender.json" &
sender=$!
pids+=($sender)
sleep "$lead"
kill -9 "$hub_pid"; wait "$hub_pid" 2> /dev/null
t_down=$(now)
echo "  $(elapsed "$t_start") s: hub killed" >&2
sleep "$outage"
start_hub
t_up=$(now)
echo "  $(elapsed "$t_start") s: hub back after $(elapsed "$t_down" "$t_up") s" >&2
wait "$sender"
t_load_end=$(now)
echo "  $(elapsed "$t_start") s: load over: $(cat "$work/sender.json")" >&2
accepted=$(sed -nE 's/.*"accepted": ([0-9]+).*/\1/p' "$work/sender.json")
refused=$(sed -nE 's/.*"refused": ([0-9]+).*/\1/p' "$work/sender.json")
behind=$(sed -nE 's/.*"max_behind_seconds": ([0-9.]+).*/\1/p' "$work/sender.json")
# Until the hub holds an alert for every event accepted, nothing pending (at most 1800 s).
drained=""
for _ in $(seq 18000); do
  IFS=$'\t' read -r _ _ pending _ _ _ in_hub <<< "$(sample 0)"
  [ "$pending" = 0 ] && [ "$in_hub" -ge "$accepted" ] && { drained=$(now); break; }
  sleep 0.1
done
sleep 1
kill "$sampler"; wait "$sampler" 2> /dev/null
kill -TERM "$vigie_pid"; wait "$vigie_pid"; status=$?
vigie_pid=""

# From the timeline: peaks, and the first sample after the hub's return with the backlog
# gone (pending under half a second of load).
up_at=$(elapsed "$t_start" "$t_up")
read -r peak_bytes peak_pending peak_oldest <<< "$(awk -F'\t' 'NR > 1 {if ($2 > b) b = $2; if ($3 > p) p = $3; if ($4 > o) o = $4} END {printf "%.0f %.0f %.1f", b, p, o}' "$work/timeline.tsv")"
caught=$(awk -F'\t' -v up="$up_at" -v r="$rate" 'NR > 1 && $1 > up && $3 < r / 2 && $7 >= $6 - r / 2 {printf "%.1f", $1 - up; exit}' "$work/timeline.tsv")
check=$("$tool" hub-check --url "$hub_url" --stream ALERTS --expect "$accepted" --timeout 60) || true
field() { sed -nE "s/.*\"$1\":([0-9]+).*/\1/p" <<< "$check"; }
lost=$(field missing_seqs)
twice=$(($(field duplicate_seqs) + $(field messages) - $(field distinct_ids)))

echo
echo "| hub outage | $outage s at $rate events/s |"
echo "|---|---|"
printf '| %s | %s |\n' \
  "events sent and accepted (one alert each)" "$accepted" \
  "POSTs refused then retried (spool full)" "$refused" \
  "sender's worst lag behind its pace (s)" "$behind" \
  "spool peak (bytes, sampled each second)" "$peak_bytes" \
  "spool peak (MiB)" "$(awk -v b="$peak_bytes" 'BEGIN {printf "%.1f", b / 1048576}')" \
  "alerts pending for the hub, peak" "$peak_pending" \
  "oldest unforwarded alert, peak (s)" "$peak_oldest" \
  "catch-up after the hub's return (s, backlog gone under load)" "${caught:-not within the load}" \
  "every alert in the hub, s after the load's end" "$([ -n "$drained" ] && elapsed "$t_load_end" "$drained" || echo never)" \
  "alerts in the hub stream" "$(field messages)" \
  "alerts lost" "${lost:-?}" \
  "alerts twice in the hub stream" "$twice" \
  "vigie exit status after SIGTERM" "$status"
printf '{"outage_seconds":%s,"rate":%s,"accepted":%s,"refused":%s,"spool_peak_bytes":%s,"pending_peak":%s,"oldest_peak_seconds":%s,"catchup_seconds":"%s","drained_after_load_end_seconds":"%s","hub":%s,"lost":%s,"twice":%s}\n' \
  "$outage" "$rate" "$accepted" "$refused" "$peak_bytes" "$peak_pending" "$peak_oldest" "${caught:-}" \
  "$([ -n "$drained" ] && elapsed "$t_load_end" "$drained")" "${check:-null}" "${lost:-null}" "$twice" > "$build/bench/hub-outage.json"
echo "timeline: $work/timeline.tsv, results: $build/bench/hub-outage.json"
[ "${lost:-1}" = 0 ] && [ "$twice" = 0 ] && [ "$status" = 0 ]
