#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Threat indicators at line rate (`make bench`, issue 8): with COUNT generated indicators
# loaded (30% IPv4, 5% IPv4 networks, 5% IPv6, 30% domains, 15% URLs, 15% hashes), event
# throughput of `vigie scan` on the throughput corpus as a ratio of the same runs without
# indicators (alternated, ROUNDS rounds, best of each), the time from an indicator's
# arrival to its first possible match, store import and load times, and RSS.
# Usage: bench/indicator_load.sh BUILD_DIR RULES_DIR [COUNT] [CORPUS_SIZE] [ROUNDS]
set -eu
build=$1
rules=$2
count=${3:-1000000}
size=${4:-256M}
rounds=${5:-2}
out=$build/bench/indicators
mkdir -p "$out"
corpus=$out/corpus-$size.ndjson
[ -s "$corpus" ] || "$build/vigie-bench" generate "$corpus" --size "$size" >/dev/null

echo "== in-process: import, load, arrivals ($count indicators)"
/usr/bin/time -f "vigie-bench peak RSS: %M KiB" \
  "$build/vigie-bench" indicators --count "$count" --store "$out/ioc.sqlite" --arrivals 50

# events/s of one vigie scan run, from its summary line; RSS from /usr/bin/time.
scan_rate() {
  /usr/bin/time -f "rss %M" -o "$out/time.txt" \
    "$build/vigie" scan --rules "$rules" --no-cache --format jsonl "$@" "$corpus" \
    >"$out/alerts.jsonl" 2>"$out/scan.txt"
  awk '/events read/ { for (i = 1; i <= NF; i++) if ($i == "scanned") { mb = $(i + 1); s = $(i + 4) } ;
                       events = $2 } END { printf "%.0f %s", events / s, mb }' "$out/scan.txt"
  printf ' %s\n' "$(awk '{print $2}' "$out/time.txt")"
}

best_without=0
best_with=0
for round in $(seq "$rounds"); do
  read -r rate mb rss_without <<<"$(scan_rate)"
  echo "round $round without indicators: $rate events/s ($mb MB), peak RSS $rss_without KiB"
  [ "$rate" -gt "$best_without" ] && best_without=$rate
  read -r rate mb rss_with <<<"$(scan_rate --indicator-store "$out/ioc.sqlite")"
  echo "round $round with $count indicators: $rate events/s, peak RSS $rss_with KiB ($(grep -o '[0-9]* indicators matched per event, loaded in [0-9.]* s' "$out/scan.txt"))"
  [ "$rate" -gt "$best_with" ] && best_with=$rate
done
awk -v a="$best_with" -v b="$best_without" -v n="$count" \
  'BEGIN { printf "throughput with %d indicators / without: %d / %d = %.2f (target >= 0.8)\n", n, a, b, a / b }'
