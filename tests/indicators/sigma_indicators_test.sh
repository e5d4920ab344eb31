#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Sigma rules received as indicators (pattern_type sigma): held for review, listed with
# their problems and id clashes by `vigie rules pending`, written as rule files by `vigie
# rules accept` only when they check clean and no local rule has their id.
set -u
vigie=$1
here=$(dirname "$0")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$here/../support/check_lib.sh"
mkdir -p "$work/rules/local"
cat >"$work/rules/local/whoami.yml" <<'YML'
title: Whoami (local)
id: 11111111-1111-4111-8111-111111111111
status: test
level: medium
logsource: {product: windows, category: process_creation}
detection:
  sel:
    CommandLine|contains: whoami
  condition: sel
YML
"$vigie" indicators import --store "$work/s.sqlite" --stix "$here/sigma-bundle.json" 2>/dev/null
check "sigma indicators are stored" equals "$?" 0
"$vigie" rules pending --store "$work/s.sqlite" --rules "$work/rules" >"$work/pending" 2>"$work/err"
check "rules pending exits 0" equals "$?" 0
check "three rules wait for review" has "$work/err" "3 Sigma rules from peers wait for review"
check "a clean rule is listed as ok" \
  has "$work/pending" "indicator--c0ffee00-0000-4000-8000-000000000001  7d5b5b1e-6a44-4f0e-9d7c-2b0c9e8b1a01"
check "a clean rule is listed as ok (state)" grep -q "0001 .*\[ok\]" "$work/pending"
check "an id clash with a local rule is shown" has "$work/pending" "[same id as local rule $work/rules/local/whoami.yml]"
check "a broken rule's problems are listed with the indicator as the file" \
  grep -q "indicator--c0ffee00-0000-4000-8000-000000000003:[0-9]*:[0-9]*:.*contans" "$work/pending"

"$vigie" rules accept indicator--c0ffee00-0000-4000-8000-000000000002 --store "$work/s.sqlite" \
  --rules "$work/rules" --into "$work/rules/federation" 2>"$work/err"
check "a rule with a local rule's id is refused" equals "$?" 1
check "... and says so" has "$work/err" "already exists locally in $work/rules/local/whoami.yml; not replaced"
"$vigie" rules accept indicator--c0ffee00-0000-4000-8000-000000000003 --store "$work/s.sqlite" \
  --rules "$work/rules" --into "$work/rules/federation" 2>"$work/err"
check "a rule with problems is refused" equals "$?" 1
"$vigie" rules accept indicator--c0ffee00-0000-4000-8000-000000000001 --store "$work/s.sqlite" \
  --rules "$work/rules" --into "$work/rules/federation" >"$work/out" 2>&1
check "the clean rule is accepted" equals "$?" 0
check "... into its own file" test -s "$work/rules/federation/7d5b5b1e-6a44-4f0e-9d7c-2b0c9e8b1a01.yml"
"$vigie" rules pending --store "$work/s.sqlite" --rules "$work/rules" >"$work/pending" 2>"$work/err"
check "rules pending after an accept exits 0" equals "$?" 0
check "two remain pending" has "$work/err" "2 Sigma rules from peers wait for review"
printf '%s\n' '{"Image":"C:\\Windows\\System32\\certutil.exe","CommandLine":"certutil -urlcache -f http://x/a a"}' >"$work/events.ndjson"
"$vigie" scan --rules "$work/rules" --mapping flat --format jsonl "$work/events.ndjson" >"$work/alerts" 2>/dev/null
check "the scan with the accepted rule exits 0" equals "$?" 0
check "the accepted rule fires like any rule" has "$work/alerts" '"id":"7d5b5b1e-6a44-4f0e-9d7c-2b0c9e8b1a01"'
echo "sigma_indicators: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
