#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Load test of `vigie serve` through NATS JetStream: 1 worker, then 2 workers on one
# consumer, while vigie-nats-tool publishes numbered events (samples/windows-sysmon.ndjson
# with "seq" and "ts_ns", the publish time) for SECONDS (default 60), twice per worker
# count: at full speed (throughput: the workers fall behind, so the latency is mostly the
# backlog), then paced at RATE events/s (default 10000, below what one worker sustains
# here), where the latency is that of an event through the system.
# Reports events/s, p50/p99 ingest-to-alert latency, each worker's peak RSS, lost events.
#
#   bench/serve_nats_load.sh [BUILD_DIR (default build)] [SECONDS] [RATE]
#
# events/s: events published / (first publish .. consumer drained: every message acked).
# Latency: `vigie-nats-tool alerts --follow` tails the workers' alert files (polling every
# 0.5 ms) and times each alert line when it appears, minus the ts_ns its event was
# published with (same machine, same clock): publish, JetStream, fetch, evaluation and the
# alert write, plus at most the polling period. Peak RSS: VmHWM of each worker from
# /proc/PID/status just before it is stopped. Lost: published seqs with no alert.
# Everything (nats-server, publisher, workers, tracker) shares this machine's cores.
set -euo pipefail
SOURCE=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SOURCE/build}
SECONDS_RUN=${2:-60}
RATE=${3:-10000}
VIGIE=$BUILD/vigie
TOOL=$BUILD/vigie-nats-tool
for f in "$VIGIE" "$TOOL"; do
    [ -x "$f" ] || { echo "missing $f: cmake --build $BUILD --target vigie vigie-nats-tool"; exit 1; }
done
command -v nats-server > /dev/null || { echo "nats-server is not installed"; exit 1; }
WORK=$(mktemp -d)
. "$SOURCE/tests/nats/nats_lib.sh"
trap cleanup EXIT
SAMPLE=$SOURCE/samples/windows-sysmon.ndjson
ACK_WAIT=30

run() {  # workers [rate]
    local workers=$1 rate=${2:-0} files=() pids=()
    start_nats
    for i in $(seq "$workers"); do
        write_config "w$workers-r$rate-$i"
        start_worker "w$workers-r$rate-$i"
        pids+=("$LAST_PID")
        files+=("$WORK/w$workers-r$rate-$i.alerts")
    done
    for f in "${files[@]}"; do touch "$f"; done
    "$TOOL" alerts --follow --idle 5 --timeout $((SECONDS_RUN + 600)) "${files[@]}" \
        > "$WORK/latency-$workers-r$rate.json" &
    local tracker=$!
    local start end
    start=$(date +%s.%N)
    "$TOOL" publish --url "$NATS_URL" --file "$SAMPLE" --duration "$SECONDS_RUN" --rate "$rate" --timestamps \
        > "$WORK/publish-$workers-r$rate.json"
    "$TOOL" wait-drained --url "$NATS_URL" --timeout 600 > /dev/null
    end=$(date +%s.%N)
    wait "$tracker" || true
    local published rss=""
    published=$(json_field "$(cat "$WORK/publish-$workers-r$rate.json")" published)
    for pid in "${pids[@]}"; do
        rss+="$(awk '/VmHWM/ {printf "%d", $2/1024}' "/proc/$pid/status") "
    done
    for pid in "${pids[@]}"; do stop_worker "$pid"; done
    local check latency
    check=$("$TOOL" alerts --expect "$published" "${files[@]}") || true
    latency=$(cat "$WORK/latency-$workers-r$rate.json")
    stop_nats
    printf '| %d | %s | %d | %.0f | %s | %s | %s MiB | %s | %s |\n' "$workers" \
        "$([ "$rate" = 0 ] && echo 'full speed' || echo "$rate/s")" "$published" \
        "$(echo "$published / ($end - $start)" | bc -l)" \
        "$(json_field "$latency" p50_ms)" "$(json_field "$latency" p99_ms)" "${rss% }" \
        "$(json_field "$check" missing)" "$(json_field "$check" duplicated)"
}

echo "vigie serve, NATS JetStream input: $SECONDS_RUN s of publishing per row, $(nproc) cores"
echo
echo "| workers | publishing | events | events/s | p50 ms | p99 ms | peak RSS per worker | lost | twice |"
echo "|---|---|---|---|---|---|---|---|---|"
run 1
run 2
run 1 "$RATE"
run 2 "$RATE"
