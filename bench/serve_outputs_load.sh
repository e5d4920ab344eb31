#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# What the alert outputs cost `vigie serve`'s HTTP ingest: the load of
# bench/serve_http_load.sh (CLIENTS concurrent curl clients posting BATCH-event NDJSON
# bodies, SigmaHQ's rules when ../shared/sigma is there plus a marker rule every event
# matches), SECONDS per run, against six output configurations, run in alternation
# (ROUNDS rounds of a, b, c, d, e, f) so that they share the machine's state:
#   a  stdout only (to /dev/null)
#   b  every output: file + NATS hub + webhook (a local Python receiver answering 200),
#      through the spool
#   c  a file output only (no forwarding output: no spool)
#   d  the same file output plus a NATS hub output (so the spool)
#   e  the same as d with the hub unreachable (a closed port): the spool's appends and
#      fsyncs without any forwarding, nor a nats-server sharing the cores
#   f  stdout only with metrics.enabled: false (no counting, no listener, no scrape)
# In every run but f, /metrics is scraped once a second during the load (a Prometheus
# scraping 15 times more often than its default).
# Reports events/s and vigie's CPU time per event (user + system, the forwarders' catch-up
# included) per configuration (the median of its runs), b/a (all the outputs), d/c
# (the spool and one forwarder), e/c (the spool alone) and a/f (the metrics: counting
# and scraping), what each forwarder had
# delivered when the load stopped and how long it took to catch up, in a table and
# build/bench/serve-outputs.json. The hub (nats-server) and the webhook receiver run on the
# same cores as vigie: in b and d, their CPU is part of the cost.
#
# Usage: bench/serve_outputs_load.sh [BUILD_DIR] [SECONDS] [ROUNDS] [CLIENTS] [BATCH]
#   environment: VARIANTS (default "a b c d e f"), ENGINE_THREADS (engine.threads, default
#   0: one per core), FSYNC_MS (spool.fsync_interval_ms, default 0)
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${1:-$here/build}")
seconds=${2:-20}
rounds=${3:-2}
clients=${4:-4}
batch=${5:-500}
variants=${VARIANTS:-a b c d e f}
engine_threads=${ENGINE_THREADS:-0}
fsync_ms=${FSYNC_MS:-0}
vigie=$build/vigie
tool=$build/vigie-nats-tool
sigma=${SIGMA_DIR:-$here/../shared/sigma}
for f in "$vigie" "$tool" "$build/vigie-bench"; do
  [ -x "$f" ] || { echo "missing $f: cmake --build $build -j2 --target vigie vigie-nats-tool vigie-bench"; exit 1; }
done
command -v nats-server > /dev/null || { echo "nats-server is not installed"; exit 1; }
work=$build/bench/serve-outputs
results=$build/bench/serve-outputs.json
rm -rf "$work"; mkdir -p "$work"
pids=() current=""
cleanup() {
  [ -n "$current" ] && kill -KILL "$current" 2> /dev/null
  for p in "${pids[@]}"; do kill -KILL "$p" 2> /dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2> /dev/null; done
  rm -rf "$work/run" "$work/hub-store"
}
trap cleanup EXIT
. "$here/bench/serve_bench_lib.sh"
load_rules_and_bodies "$work" "$batch" "$sigma" "$build/vigie-bench"
rule_paths=$RULE_PATHS
bodies=("${BODIES[@]}")
token=load-test-token

# The hub: a nats-server with the stream the alerts go to (capped: old alerts dropped).
hub_port=$(free_port)
hub_url=nats://127.0.0.1:$hub_port
nats-server -js -a 127.0.0.1 -p "$hub_port" -sd "$work/hub-store" > "$work/hub.log" 2>&1 &
pids+=($!)
wait_port "$hub_port" || { cat "$work/hub.log"; exit 1; }
"$tool" hub-stream --url "$hub_url" --stream ALERTS --subjects 'alerts.>' \
  --duplicate-window 120 --max-bytes $((512 << 20)) > /dev/null || exit 1

# The webhook receiver: answers 200, counts the alerts ("uid" occurrences); GET: the count.
hook_port=$(free_port)
cat > "$work/hook.py" <<'PY'
import sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
received = [0, 0]  # alerts, requests
lock = threading.Lock()
class Hook(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with lock:
            received[0] += body.count(b'"uid"')
            received[1] += 1
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
    def do_GET(self):
        text = ("%d %d\n" % tuple(received)).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(text))); self.end_headers()
        self.wfile.write(text)
    def log_message(self, *args): pass
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Hook).serve_forever()
PY
python3 "$work/hook.py" "$hook_port" &
pids+=($!)
wait_port "$hook_port" || exit 1
export VIGIE_WEBHOOK_SECRET=bench-webhook-secret
closed_port=$(free_port)  # nothing listens there: e's hub is down

# config VARIANT: the configuration of a run (in $work/run, emptied before each run).
config() {
  local outputs spool="" metrics_on=true
  case $1 in
    a) outputs="[{name: out, type: stdout}]" ;;
    f) outputs="[{name: out, type: stdout}]" metrics_on=false ;;
    b) outputs="[{name: archive, type: file, path: $work/run/alerts.jsonl},
      {name: hub, type: nats, url: $hub_url, subject_prefix: alerts},
      {name: siem, type: webhook, url: http://127.0.0.1:$hook_port/hook, secret_env: VIGIE_WEBHOOK_SECRET}]" ;;
    c) outputs="[{name: archive, type: file, path: $work/run/alerts.jsonl}]" ;;
    d) outputs="[{name: archive, type: file, path: $work/run/alerts.jsonl},
      {name: hub, type: nats, url: $hub_url, subject_prefix: alerts}]" ;;
    e) outputs="[{name: archive, type: file, path: $work/run/alerts.jsonl},
      {name: hub, type: nats, url: nats://127.0.0.1:$closed_port, subject_prefix: alerts}]" ;;
  esac
  case $1 in b | d | e) spool="spool: {directory: $work/run/spool, max_bytes: $((8 << 30)), fsync_interval_ms: $fsync_ms}" ;; esac
  cat <<YML
metrics: {enabled: $metrics_on}
rules: {paths: $rule_paths, mapping: windows, cache_dir: $work/cache}
engine: {threads: $engine_threads, queue_capacity: 64}
http: {max_connections: 64}
alerts:
  format: jsonl
  outputs: $outputs
$spool
agencies:
  - id: load
    token_sha256: $(printf %s "$token" | sha256sum | cut -d' ' -f1)
    rate_limit: {events_per_second: 100000000, burst: 100000000}
YML
}


metric() {  # metric NAME LABEL_MATCH: the first matching value, or 0
  curl -s "http://127.0.0.1:$metrics/metrics" |
    awk -v n="$1" -v l="$2" 'index($1, n) == 1 && index($1, l) {printf "%.0f", $2; exit}'
}

# run VARIANT: one run; appends "variant events/s accepted failed alerts hub_at_end
# hook_at_end catchup_s rss_mb cpu_us_per_event" to $work/runs.txt.
run() {
  local v=$1
  rm -rf "$work/run"; mkdir -p "$work/run/answers"
  config "$v" > "$work/run/vigie.yaml"
  start_serve_bench "$vigie" "$work/run/vigie.yaml" "$work/run/vigie.log"
  local pid=$SERVE_PID
  current=$pid
  port=$SERVE_HTTP metrics=$SERVE_METRICS
  local hook_before scraper=""
  hook_before=$(curl -s "http://127.0.0.1:$hook_port/" | cut -d' ' -f1)
  if [ "$v" != f ]; then
    (while :; do curl -s -o /dev/null "http://127.0.0.1:$metrics/metrics"; sleep 1; done) &
    scraper=$!
  fi
  local start end deadline=$((EPOCHSECONDS + seconds)) round=0
  start=$(date +%s.%N)
  while [ "$EPOCHSECONDS" -lt "$deadline" ]; do
    curl_round "$round" "$work/run/answers" > "$work/run/round.cfg"
    curl -s --no-progress-meter --parallel --parallel-max "$clients" -K "$work/run/round.cfg" >> "$work/run/requests.log"
    round=$((round + 1))
  done
  end=$(date +%s.%N)
  [ -n "$scraper" ] && { kill "$scraper"; wait "$scraper" 2> /dev/null; }
  local alerts hub_end=- hook_end=- catchup=- rss
  if [ "$v" = f ]; then  # no metrics: the alerts the answers counted
    alerts=$(cat "$work"/run/answers/* | sed -nE 's/.*"alerts":([0-9]+).*/\1/p' | awk '{s += $1} END {print s + 0}')
  else
    alerts=$(curl -s "http://127.0.0.1:$metrics/metrics" | awk '/^vigie_alerts_total/ {s += $2} END {printf "%.0f", s}')
  fi
  rss=$(awk '/VmHWM/ {printf "%d", $2 / 1024}' "/proc/$pid/status")
  if [ "$v" = b ] || [ "$v" = d ]; then
    hub_end=$(metric vigie_output_delivered_total 'output="hub"')
    hub_end=${hub_end:--}
    [ "$v" = b ] && hook_end=$(($(curl -s "http://127.0.0.1:$hook_port/" | cut -d' ' -f1) - hook_before))
    # Until every forwarder has delivered every alert (nothing pending), at most 300 s.
    local t0 pending=""
    t0=$(date +%s.%N)
    for _ in $(seq 3000); do
      pending=$(curl -s "http://127.0.0.1:$metrics/metrics" | awk '/^vigie_spool_pending_alerts/ {n++; s += $2} END {if (n) printf "%.0f", s}')
      [ "$pending" = 0 ] || [ -z "$pending" ] && break
      sleep 0.1
    done
    catchup=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
    [ -n "$pending" ] || catchup="n/a"  # no vigie_spool_pending_alerts in the metrics
    [ "$pending" != 0 ] && [ -n "$pending" ] && catchup=">300"
  fi
  # vigie's CPU (user + system), the forwarders' catch-up included.
  local cpu_ticks
  cpu_ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  kill -TERM "$pid"; wait "$pid"
  local status=$?
  current=""
  local accepted failed
  accepted=$(cat "$work"/run/answers/* | sed -nE 's/.*"accepted":([0-9]+).*/\1/p' | awk '{s += $1} END {print s + 0}')
  failed=$(awk '$1 != 200' "$work/run/requests.log" | wc -l)
  [ "$status" = 0 ] || echo "warning: vigie exited $status in run $v" >&2
  echo "$v $(awk -v n="$accepted" -v a="$start" -v b="$end" 'BEGIN {printf "%.0f", n / (b - a)}') $accepted $failed $alerts $hub_end $hook_end $catchup $rss $(awk -v t="$cpu_ticks" -v hz="$(getconf CLK_TCK)" -v n="$accepted" 'BEGIN {printf "%.1f", (n > 0 ? t / hz * 1e6 / n : 0)}')" >> "$work/runs.txt"
  echo "  run $v: $(tail -1 "$work/runs.txt")" >&2
}

: > "$work/runs.txt"
echo "vigie serve, HTTP ingest by alert outputs: $clients clients x $batch events, $seconds s per run, $rounds rounds of $variants, engine threads $engine_threads, fsync interval $fsync_ms ms, $(nproc) cores" >&2
for r in $(seq "$rounds"); do
  for v in $variants; do run "$v"; done
done

median() {  # median VARIANT FIELD
  awk -v v="$1" -v f="$2" '$1 == v {print $f}' "$work/runs.txt" | sort -g |
    awk '{x[NR] = $1} END {if (NR % 2) print x[(NR + 1) / 2]; else if (NR) printf "%.1f\n", (x[NR / 2] + x[NR / 2 + 1]) / 2; else print 0}'
}
ratio() { awk -v x="$1" -v y="$2" 'BEGIN {printf "%.3f", (y > 0 ? x / y : 0)}'; }
last() { awk -v v="$1" -v f="$2" '$1 == v {x = $f} END {print x}' "$work/runs.txt"; }
ea=$(median a 2) eb=$(median b 2) ec=$(median c 2) ed=$(median d 2) ee=$(median e 2) ef=$(median f 2)
failed_all=$(awk '{s += $4} END {print s + 0}' "$work/runs.txt")
declare -A names=([a]="stdout only (/dev/null)" [b]="file + NATS hub + webhook, spool" [c]="file only (no spool)" [d]="file + NATS hub (spool)" [e]="file + NATS hub down (spool only)" [f]="stdout only, metrics off")
echo
echo "| outputs | events/s (median of $rounds) | runs | vigie CPU µs/event (median) | alerts (last run) | hub delivered at load end | webhook received at load end | catch-up s | peak RSS MB |"
echo "|---|---|---|---|---|---|---|---|---|"
for v in $variants; do
  echo "| $v: ${names[$v]} | $(median "$v" 2) | $(awk -v v="$v" '$1 == v {printf "%s%s", s, $2; s = " "}' "$work/runs.txt") | $(median "$v" 10) | $(last "$v" 5) | $(last "$v" 6) | $(last "$v" 7) | $(last "$v" 8) | $(last "$v" 9) |"
done
echo
echo "b/a (every output + spool vs stdout): $(ratio "$eb" "$ea")"
echo "d/c (spool + NATS forwarder vs the file alone): $(ratio "$ed" "$ec")"
echo "e/c (spool alone, hub down, vs the file alone): $(ratio "$ee" "$ec")"
echo "a/f (metrics counted and scraped each second vs metrics off): $(ratio "$ea" "$ef")"
ca=$(median a 10) cb=$(median b 10) cc=$(median c 10) cd=$(median d 10) ce=$(median e 10) cf=$(median f 10)
echo "vigie's CPU per event: b/a $(ratio "$cb" "$ca"), d/c $(ratio "$cd" "$cc"), e/c $(ratio "$ce" "$cc"), a/f $(ratio "$ca" "$cf")"
echo "requests failed after retries: $failed_all"
{
  printf '{"seconds_per_run":%s,"rounds":%s,"clients":%s,"batch":%s,"cores":%s,' "$seconds" "$rounds" "$clients" "$batch" "$(nproc)"
  printf '"events_per_second":{"stdout":%s,"all_outputs":%s,"file":%s,"file_and_hub":%s,"file_and_spool_hub_down":%s,"stdout_metrics_off":%s},' "$ea" "$eb" "$ec" "$ed" "$ee" "$ef"
  printf '"ratio_all_vs_stdout":%s,"ratio_spool_vs_file":%s,"ratio_spool_only_vs_file":%s,"ratio_metrics_on_vs_off":%s,' "$(ratio "$eb" "$ea")" "$(ratio "$ed" "$ec")" "$(ratio "$ee" "$ec")" "$(ratio "$ea" "$ef")"
  printf '"cpu_us_per_event":{"stdout":%s,"all_outputs":%s,"file":%s,"file_and_hub":%s,"file_and_spool_hub_down":%s,"stdout_metrics_off":%s},"failed_requests":%s,"runs":[' "$ca" "$cb" "$cc" "$cd" "$ce" "$cf" "$failed_all"
  awk '{printf "%s{\"variant\":\"%s\",\"events_per_second\":%s,\"accepted\":%s,\"failed\":%s,\"alerts\":%s,\"hub_delivered_at_end\":\"%s\",\"webhook_received_at_end\":\"%s\",\"catchup_seconds\":\"%s\",\"peak_rss_mb\":%s,\"cpu_us_per_event\":%s}", s, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10; s = ","}' "$work/runs.txt"
  printf ']}\n'
} > "$results"
echo "results: $results"
[ "$failed_all" -eq 0 ]
