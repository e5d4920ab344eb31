#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Hardening item 1, STIX bundles: `vigie indicators import --stix` of a bundle holding an
# object nested 100000 levels deep between two good indicators. The deep object is refused
# with "nested deeper than N levels" at FILE:LINE:COL (and its id); the process does not
# crash; both good indicators are kept in the store.
set -u
vigie=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../support/check_lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work/deep.json" <<'PY'
import sys
deep = 100000
def ind(n):
    return ('{"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-00000000000%d",'
            '"created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z",'
            '"pattern":"[domain-name:value = \'good%d.example\']","pattern_type":"stix",'
            '"valid_from":"2024-01-01T00:00:00Z"}' % (n, n))
bad = ('{"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-000000000009",'
       '"created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z",'
       '"pattern":"[domain-name:value = \'bad.example\']","pattern_type":"stix",'
       '"valid_from":"2024-01-01T00:00:00Z","x_deep":' + '[' * deep + ']' * deep + '}')
with open(sys.argv[1], "w") as f:
    f.write('{"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000000","objects":[\n')
    f.write(ind(1) + ",\n" + bad + ",\n" + ind(2) + "\n]}\n")
PY
# The column of the '[' that opens level 65 on line 3: the object is level 1, x_deep's
# first '[' level 2.
col=$(( $(head -3 "$work/deep.json" | tail -1 | grep -bo '"x_deep":\[' | cut -d: -f1) + 10 + 63 ))

"$vigie" indicators import --store "$work/s.sqlite" --stix "$work/deep.json" 2>"$work/err"
status=$?
check "the import ends, without a crash (exit 1: one object refused)" equals "$status" 1
check "the deep object is refused at FILE:LINE:COL with its id and reason" \
  has "$work/err" "deep.json:3:$col: rule indicator--00000000-0000-4000-8000-000000000009: nested deeper than 64 levels"
check "the summary: 3 objects, 2 indicators kept, 1 refused" \
  has "$work/err" "3 objects, 2 indicators (2 new, 0 updated, 0 already known, 0 not matched per event), 1 refused"
"$vigie" indicators export --store "$work/s.sqlite" --amber >"$work/out" 2>/dev/null
check "export exits 0" equals "$?" 0
ids=$(grep -o 'indicator--00000000-0000-4000-8000-00000000000[0-9]' "$work/out" | sort -u | tr '\n' ' ')
check "both good indicators are in the store, the deep one is not" \
  equals "$ids" "indicator--00000000-0000-4000-8000-000000000001 indicator--00000000-0000-4000-8000-000000000002 "
[ "$failures" -eq 0 ] || cat "$work/err" | cut -c1-300

echo "item01 stix bundle depth: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
