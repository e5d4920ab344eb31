#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Load test of vigie serve's HTTP ingest: CLIENTS concurrent curl clients post NDJSON
# bodies of BATCH events for SECONDS, against every SigmaHQ rule (when ../shared/sigma is
# there, else the repository's rules) plus one marker rule that every event matches once.
# Reports events/s, the p50/p99 ingest-to-alert latency, vigie's peak RSS, and checks
# that no accepted event was lost (marker alerts written == events accepted == events
# vigie counted).
#
# Latency: vigie answers a POST only after the alerts of all its events are written, so
# the time from the start of a request to its answer bounds the ingest-to-alert latency
# of every event in it (upload, queue wait, detection, alert write). It is measured per
# request by curl (%{time_total}).
#
# Usage: bench/serve_http_load.sh [VIGIE] [SECONDS] [CLIENTS] [BATCH]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
vigie=$(realpath "${1:-$here/build/vigie}")
seconds=${2:-60}
clients=${3:-4}
batch=${4:-500}
sigma=${SIGMA_DIR:-$here/../shared/sigma}
work=$here/build/bench/serve-http
rm -rf "$work"; mkdir -p "$work"
trap 'kill -KILL $(jobs -p) 2>/dev/null || true' EXIT
. "$here/bench/serve_bench_lib.sh"
load_rules_and_bodies "$work" "$batch" "$sigma"
rule_paths=$RULE_PATHS
bodies=("${BODIES[@]}")
token=load-test-token
cat > "$work/vigie.yaml" <<YML
rules: {paths: $rule_paths, mapping: windows, cache_dir: $work/cache}
engine: {threads: 0, queue_capacity: 64}
http: {max_connections: 64}
alerts: {output: $work/alerts.jsonl}
agencies:
  - id: load
    token_sha256: $(printf %s "$token" | sha256sum | cut -d' ' -f1)
    rate_limit: {events_per_second: 100000000, burst: 100000000}
YML
start_serve_bench "$vigie" "$work/vigie.yaml" "$work/vigie.log"
pid=$SERVE_PID port=$SERVE_HTTP metrics=$SERVE_METRICS rules=$SERVE_RULES

# The clients: one curl process runs CLIENTS transfers at a time (--parallel), a round of
# 4 x CLIENTS requests per process, rounds until the deadline, so that starting processes
# does not eat the cores vigie is measured on. A 503 or 429 is retried after its
# Retry-After (curl --retry), as an agency's forwarder would; each answer is kept.
mkdir -p "$work/answers"
start=$(date +%s.%N)
deadline=$(( EPOCHSECONDS + seconds ))
round=0
while [ "$EPOCHSECONDS" -lt "$deadline" ]; do
  curl_round "$round" "$work/answers" > "$work/round.cfg"
  curl -s --no-progress-meter --parallel --parallel-max "$clients" -K "$work/round.cfg" >> "$work/requests.log"
  round=$((round + 1))
done
end=$(date +%s.%N)
counted=$(curl -s "http://127.0.0.1:$metrics/metrics" | sed -nE 's/^vigie_events_received_total\{agency="load",input="http"\} ([0-9.e+]+)/\1/p')
rss_kb=$(sed -nE 's/^VmHWM:\s+([0-9]+) kB/\1/p' "/proc/$pid/status")
kill -TERM "$pid"; wait "$pid"; status=$?

accepted=$(cat "$work"/answers/* | sed -nE 's/.*"accepted":([0-9]+).*/\1/p' | awk '{s += $1} END {print s + 0}')
ok=$(awk '$1 == 200' "$work/requests.log" | wc -l)
failed=$(awk '$1 != 200' "$work/requests.log" | wc -l)
marker=$(grep -c '00000000-10ad-4000-8000-000000000001' "$work/alerts.jsonl" || true)
all_alerts=$(wc -l < "$work/alerts.jsonl")
read -r p50 p99 <<<"$(awk '$1 == 200 {print $2}' "$work/requests.log" | sort -n |
  awk '{v[NR] = $1} END {i50 = int(NR * 0.50); i99 = int(NR * 0.99); if (i50 < 1) i50 = 1; if (i99 < 1) i99 = 1; printf "%.3f %.3f", v[i50], v[i99]}')"
elapsed=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.1f", b - a}')
rate=$(awk -v n="$accepted" -v t="$elapsed" 'BEGIN {printf "%.0f", n / t}')
lost=$(( accepted - marker ))

printf '\nvigie serve, HTTP ingest: %s clients x %s events per request, %s s, %s rules, %s cores\n' \
  "$clients" "$batch" "$elapsed" "$rules" "$(nproc)"
printf '| %-34s | %s |\n' "requests answered 200" "$ok" "requests failed after retries" "$failed" \
  "events accepted" "$accepted" "events/s" "$rate" \
  "p50 ingest-to-alert latency (s)" "$p50" "p99 ingest-to-alert latency (s)" "$p99" \
  "peak RSS of vigie (MB)" "$(awk -v k="$rss_kb" 'BEGIN {printf "%.1f", k / 1024}')" \
  "alerts written (all rules)" "$all_alerts" "marker alerts (one per event)" "$marker" \
  "events counted by vigie (metrics)" "${counted:-?}" "lost events (accepted - marker)" "$lost" \
  "exit status after SIGTERM" "$status"
[ "$lost" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
