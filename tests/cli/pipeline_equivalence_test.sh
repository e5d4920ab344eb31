#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# The scan pipeline gives the same answer whatever its shape: on a generated corpus
# (with malformed documents mixed in), 1 thread, several threads with small batches
# (so that batches finish out of order) and --no-prefilter (every rule evaluated on
# every event) must produce the same alerts; 1 and N threads the very same bytes, in
# input order, and the same problem reports.
# Skipped (77) when the SigmaHQ snapshot is absent: the project's few rules raise too few
# alerts to tell the pipelines apart, so a run on them would be a pass that proves nothing.
# Usage: pipeline_equivalence_test.sh VIGIE VIGIE_BENCH SIGMA_DIR
set -u
vigie=$1 bench=$2 sigma=$3
rules=()
for d in "$sigma"/rules*/; do [ -d "$d" ] && rules+=(--rules "$d"); done
if [ ${#rules[@]} -eq 0 ]; then
  echo "SKIPPED: no SigmaHQ rules (no rules*/ folder) under $sigma (set VIGIE_SIGMA_DIR at configure time)"
  exit 77
fi
rules+=(--mapping windows)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$bench" generate --size 6M --seed 7 "$work/a.ndjson" >/dev/null || { echo "FAIL: generator"; exit 1; }
"$bench" generate --size 3M --seed 8 "$work/b.ndjson" >/dev/null || { echo "FAIL: generator"; exit 1; }
# Malformed and non-object documents in the middle of the second input.
# A cut-off line must not swallow the good lines after it. A line is accepted or rejected
# whole: the stray ']' after {"Event":"x"} rejects that line, its event included.
{ head -n 100 "$work/b.ndjson"; echo '{"Event": {"System": {"EventID": 1'; echo '{"Event":"x"} ]'; echo '[1,2]';
  tail -n +101 "$work/b.ndjson"; } > "$work/c.ndjson"
expected_events=$(( $(wc -l < "$work/a.ndjson") + $(wc -l < "$work/b.ndjson") ))

run() {  # run NAME ARGS... -> $work/NAME.out, $work/NAME.err
  local name=$1; shift
  # The detection time differs from run to run; everything else must not.
  "$vigie" scan "${rules[@]}" --format jsonl "$@" "$work/a.ndjson" "$work/c.ndjson" \
    2> "$work/$name.err" | sed -E 's/,"time":[0-9]+,/,/' > "$work/$name.out"
  # Malformed documents are reported, not fatal: every shape of the pipeline exits 0.
  local status=${PIPESTATUS[0]}
  [ "$status" -eq 0 ] || fail "$name: vigie scan exited $status, not 0"
  grep -v '^vigie: \|warning: ' "$work/$name.err" > "$work/$name.problems"
}
run one --threads 1
run many --threads 4 --batch-bytes 65536
run unfiltered --threads 2 --no-prefilter

alerts=$(wc -l < "$work/one.out")
distinct=$(sed -E 's/^\{"rule":\{"id":"([^"]*)".*/\1/' "$work/one.out" | sort -u | wc -l)
echo "1 thread: $alerts alerts from $distinct rules; problems: $(wc -l < "$work/one.problems")"
[ "$alerts" -gt 20 ] && [ "$distinct" -gt 5 ] || fail "the corpus should raise alerts from several rules"
[ "$(wc -l < "$work/one.problems")" -eq 3 ] || fail "the three malformed documents should be reported"
grep -q "c.ndjson:101: truncated document" "$work/one.problems" || fail "the cut-off line should be reported at c.ndjson:101"
grep -q "^vigie: $expected_events events read, 3 rejected" "$work/one.err" || fail "every good event should be read ($expected_events)"
cmp -s "$work/one.out" "$work/many.out" || fail "4 threads, 64 KiB batches: alerts differ from 1 thread"
cmp -s "$work/one.problems" "$work/many.problems" || fail "4 threads: problem reports differ from 1 thread"

pairs() { sed -E 's/^\{"rule":\{"id":"([^"]*)".*"source":\{"file":"([^"]*)","index":([0-9]+).*/\1 \2 \3/' "$1" | sort; }
pairs "$work/one.out" > "$work/one.pairs"
pairs "$work/unfiltered.out" > "$work/unfiltered.pairs"
if ! cmp -s "$work/one.pairs" "$work/unfiltered.pairs"; then
  fail "--no-prefilter: (rule, event) pairs differ from the prefiltered scan"
  diff "$work/one.pairs" "$work/unfiltered.pairs" | head -20
fi
[ "$failures" -eq 0 ] && echo "PASS: 1 thread, 4 threads and --no-prefilter agree on $alerts alerts"
exit $((failures > 0))
