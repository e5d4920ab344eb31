#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Hardening item 1, MISP events: `vigie indicators import --misp DIR` of a feed whose
# manifest names two events, one nested 100000 levels deep. That event is refused with
# "nested deeper than N levels" at FILE:LINE:COL, the process does not crash, and the
# other event's indicator is kept.
set -u
vigie=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../support/check_lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

good=5f7c1a2e-0000-4000-8000-0000000000a1
deep=5f7c1a2e-0000-4000-8000-0000000000a2
mkdir "$work/feed"
python3 - "$work/feed" "$good" "$deep" <<'PY'
import sys, json
feed, good, deep = sys.argv[1:]
def attribute(n, value):
    return ('{"uuid":"6a000000-0000-4000-8000-00000000000%d","type":"domain","value":"%s",'
            '"to_ids":true,"timestamp":"1764633600"' % (n, value))
with open(f"{feed}/manifest.json", "w") as f:
    json.dump({good: {"info": "good"}, deep: {"info": "deep"}}, f)
with open(f"{feed}/{good}.json", "w") as f:
    f.write('{"Event":{"uuid":"%s","info":"good","Tag":[{"name":"tlp:green"}],"Attribute":[\n' % good)
    f.write(attribute(1, "good.example") + "}]}}\n")
with open(f"{feed}/{deep}.json", "w") as f:
    f.write('{"Event":{"uuid":"%s","info":"deep","Tag":[{"name":"tlp:green"}],"Attribute":[\n' % deep)
    f.write(attribute(2, "deep.example") + ',"x":' + '[' * 100000 + ']' * 100000 + '}]}}\n')
PY
# Level 65 on line 2: {"Event" is 1, the event 2, Attribute's list 3, the attribute 4, x's
# first '[' 5; so 60 further.
col=$(( $(sed -n 2p "$work/feed/$deep.json" | grep -bo '"x":\[' | cut -d: -f1) + 5 + 60 ))

"$vigie" indicators import --store "$work/s.sqlite" --misp "$work/feed" 2>"$work/err"
check "the import ends, without a crash (exit 1: one event refused)" equals "$?" 1
check "the deep event is refused at FILE:LINE:COL with the reason" \
  has "$work/err" "feed/$deep.json:2:$col: nested deeper than 64 levels"
check "the summary: 2 events, the good one's indicator kept" \
  has "$work/err" "2 MISP events, 1 attributes, 1 indicators (1 new"
"$vigie" indicators export --store "$work/s.sqlite" >"$work/out" 2>/dev/null
check "export exits 0" equals "$?" 0
check "the good event's indicator is in the store" has "$work/out" "good.example"
check "nothing of the deep event is" bash -c "! grep -q deep.example '$work/out'"
[ "$failures" -eq 0 ] || cut -c1-300 "$work/err"

echo "item01 misp event depth: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
