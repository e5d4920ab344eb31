#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# The progress line of `vigie scan`: on a terminal (a pseudo-terminal from util-linux
# `script`, in the essential bsdutils package) for a file input; never when stderr is not
# a terminal or the input is stdin. Skipped (exit 77, reported as skipped by ctest) only
# where no pseudo-terminal can be opened.
set -u
vigie=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! script -qec true /dev/null > /dev/null 2>&1; then
  echo "SKIPPED: no pseudo-terminal here (script -qec true failed); progress line not checked"
  exit 77
fi
. "$(dirname "$0")/../support/check_lib.sh"

cat > "$work/rule.yml" <<'YML'
title: Whoami
id: 11111111-1111-4111-8111-111111111111
logsource: {product: windows, category: process_creation}
detection:
  sel:
    CommandLine|contains: whoami
  condition: sel
YML
for i in $(seq 200); do
  printf '{"CommandLine":"whoami /all","n":%d}\n{"CommandLine":"dir","n":%d}\n' "$i" "$i"
done > "$work/events.ndjson"

cmd="'$vigie' scan --rules '$work/rule.yml' --mapping flat --format jsonl '$work/events.ndjson'"
# script -e exits with the status of the command it ran.
script -qec "$cmd > /dev/null" /dev/null > "$work/tty" 2>&1
check "the scan on a terminal exits 0" equals "$?" 0
check "a progress line on a terminal" grep -q "events/s" "$work/tty"
check "it counts the alerts" grep -q "200 alerts" "$work/tty"
check "it is erased before the summary" grep -qF $'\r\033[K' "$work/tty"
script -qec "$cmd > /dev/null < /dev/null 2> '$work/notty'" /dev/null > /dev/null 2>&1
check "the scan with stderr to a file exits 0" equals "$?" 0
check "the summary still goes to stderr" grep -q "400 events read" "$work/notty"
check "no progress line when stderr is not a terminal" bash -c "! grep -q 'events/s' '$work/notty'"
script -qec "cat '$work/events.ndjson' | '$vigie' scan --rules '$work/rule.yml' --mapping flat - > /dev/null" \
  /dev/null > "$work/tty-stdin" 2>&1
check "the scan of stdin exits 0" equals "$?" 0
check "the stdin run scans" grep -q "400 events read" "$work/tty-stdin"
check "no progress line for stdin" bash -c "! grep -q 'events/s' '$work/tty-stdin'"

echo "$pass passed, $failures failed"
[ $failures -eq 0 ]
