#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Hardening item 1, STIX patterns and observation files: `vigie stix match` with a pattern
# of 100000 nested parentheses, then with an observation file nested 100000 levels deep.
# Each is refused (exit 2) with "nested deeper than N levels" at its column or
# FILE:LINE:COL, without a crash; the same command on good input still matches.
set -u
vigie=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../support/check_lib.sh"
data=$here/../stix
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One argument holds at most 128 KiB on Linux: 100000 '(' and no closing ones (the parser
# stops at the 65th anyway).
deep_pattern="$(head -c 100000 /dev/zero | tr '\0' '(')[domain-name:value = 'evil.example.com']"
"$vigie" stix match --pattern "$deep_pattern" "$data/observations_21.json" >"$work/out" 2>"$work/err"
check "a pattern 100000 parentheses deep exits 2, without a crash" equals "$?" 2
check "refused at column 65 with the reason" \
  has "$work/err" "invalid pattern: column 65: nested deeper than 64 levels"

brackets="[$(head -c 100000 /dev/zero | tr '\0' '(')domain-name:value = 'x'"
"$vigie" stix match --pattern "$brackets" "$data/observations_21.json" >"$work/out" 2>"$work/err"
check "comparisons 100000 parentheses deep exit 2" equals "$?" 2
check "refused at column 65 (the bracket is level 1) with the reason" \
  has "$work/err" "invalid pattern: column 65: nested deeper than 64 levels"

python3 - "$work/deep_obs.json" <<'PY'
import sys
deep = 100000
with open(sys.argv[1], "w") as f:
    f.write('[\n{"type":"x-deep","id":"x-deep--1","v":' + '[' * deep + ']' * deep + '}]\n')
PY
# The array is level 1, the object 2, v's first '[' level 3: level 65 is 62 further.
col=$(( $(sed -n 2p "$work/deep_obs.json" | grep -bo '"v":\[' | cut -d: -f1) + 5 + 62 ))
"$vigie" stix match --pattern "[domain-name:value = 'evil.example.com']" \
  "$data/observations_21.json" "$work/deep_obs.json" >"$work/out" 2>"$work/err"
check "an observation file 100000 levels deep exits 2, without a crash" equals "$?" 2
check "refused at FILE:LINE:COL with the reason" \
  has "$work/err" "deep_obs.json:2:$col: nested deeper than 64 levels"

"$vigie" stix match --pattern "[domain-name:value = 'evil.example.com']" \
  "$data/observations_21.json" >"$work/out" 2>"$work/err"
check "the good observations still match (exit 0)" equals "$?" 0

echo "item01 stix pattern depth: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
