#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Hardening item 1 over NATS: a message holding a 100,000-deep document used to kill the
# vigie serve worker that fetched it, unacknowledged, so that every worker died on it in
# turn. Now it is dead-lettered with the reason ("line 1: nested deeper than 64 levels"),
# the messages around it are alerted, and the worker carries on. Real nats-server, real
# vigie serve, vigie-nats-tool.
set -u
VIGIE=$1 TOOL=$2 SOURCE=$3
. "$SOURCE/tests/nats/nats_lib.sh"
test_setup

python3 - "$WORK/events.ndjson" <<'PY'
import sys
d = 100000
with open(sys.argv[1], "w") as f:
    f.write('{"seq":1,"EventID":1}\n')
    f.write('{"seq":2,"a":' + '[' * d + ']' * d + '}\n')
    f.write('{"seq":3,"EventID":3}\n')
PY
one_worker_takes "$WORK/events.ndjson"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
kill -0 "$W" 2>/dev/null || fail "the worker died"
"$TOOL" dead-letters --url "$NATS_URL" --subject events.dead > "$WORK/dead.txt" 2>&1 || fail "dead-letters"
[ "$(grep -c 'nested deeper than 64 levels' "$WORK/dead.txt")" = 1 ] ||
    { fail "the deep message is not dead-lettered once with its reason"; cat "$WORK/dead.txt"; }
grep -q 'line 1: nested deeper than 64 levels' "$WORK/dead.txt" || fail "the reason names the line"
stop_worker "$W"
[ "$(wc -l < "$WORK/w.alerts")" = 2 ] || fail "expected the 2 good messages' alerts"
grep -q '"seq":1' "$WORK/w.alerts" && grep -q '"seq":3' "$WORK/w.alerts" || fail "alerts of seq 1 and 3"
[ "$failures" -eq 0 ] && echo "PASS"
