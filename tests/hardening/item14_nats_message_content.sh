#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Hardening item 14 over NATS: each message is an input of its own, so a UTF-8 byte order
# mark at its start is skipped (the message is alerted, not dead-lettered); a message
# with a NUL byte is dead-lettered with the reason naming it; a message whose line mixes a
# document and stray bytes is dead-lettered once and raises no alert. Real nats-server,
# real vigie serve, vigie-nats-tool.
set -u
VIGIE=$1 TOOL=$2 SOURCE=$3
. "$SOURCE/tests/nats/nats_lib.sh"
test_setup

printf '\xEF\xBB\xBF{"seq":1,"EventID":1}\n{"seq":2,"x":"a\0b"}\n{"seq":3} }\n{"seq":4,"EventID":4}\n' \
    > "$WORK/events.ndjson"
one_worker_takes "$WORK/events.ndjson"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
"$TOOL" dead-letters --url "$NATS_URL" --subject events.dead > "$WORK/dead.txt" 2>&1 || fail "dead-letters"
grep -q 'line 1: NUL byte at offset 15 of the document' "$WORK/dead.txt" ||
    { fail "the NUL message is dead-lettered with its place"; cat "$WORK/dead.txt"; }
grep -q "line 1: unexpected '}' between documents" "$WORK/dead.txt" ||
    { fail "the mixed line is dead-lettered"; cat "$WORK/dead.txt"; }
grep -qi 'byte order\|xEF\|not what starts' "$WORK/dead.txt" && fail "the BOM message was dead-lettered"
# Exactly the two bad messages, whatever a wrongly dead-lettered BOM message would say.
[ "$(grep -c . "$WORK/dead.txt")" = 2 ] || { fail "expected 2 dead letters"; cat "$WORK/dead.txt"; }
stop_worker "$W"
[ "$(wc -l < "$WORK/w.alerts")" = 2 ] || { fail "expected 2 alerts (seq 1 and 4)"; cat "$WORK/w.alerts"; }
grep -q '"seq":1' "$WORK/w.alerts" || fail "the BOM message (seq 1) alerted"
grep -q '"seq":4' "$WORK/w.alerts" || fail "seq 4 alerted"
grep -q '"seq":3' "$WORK/w.alerts" && fail "the rejected line (seq 3) alerted"
[ "$failures" -eq 0 ] && echo "PASS"
