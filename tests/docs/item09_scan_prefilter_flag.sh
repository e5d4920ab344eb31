#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Issue 19 item 9: `vigie scan --prefilter` is the default and uses the Hyperscan prefilter;
# `--no-prefilter` evaluates every rule on every event; the help text says so (it used to
# describe --no-prefilter under --prefilter's name). What each does is read from the
# vigie_rule_evaluations_total counter of --metrics-file: with --no-prefilter it is events x
# active rules, with --prefilter (or nothing) far fewer, and the alerts are the same.
set -u
vigie=$1
source_dir=$2
. "$source_dir/tests/support/check_lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
events="$source_dir/samples/windows-sysmon.ndjson"
n_events=$(grep -c . "$events")

# scan NAME [FLAG]: alerts in $work/NAME.alerts, metrics in $work/NAME.prom
scan() {
  "$vigie" scan ${2:+"$2"} --no-cache --threads 1 --rules "$source_dir/rules/windows" --format jsonl \
    --metrics-file "$work/$1.prom" "$events" > "$work/$1.alerts" 2> "$work/$1.err"
}
evaluations() { awk '/^vigie_rule_evaluations_total/ {print $2}' "$work/$1.prom"; }
rule_ids() {  # the rule id of each alert, sorted
  python3 -c 'import json,sys; print("\n".join(sorted(json.loads(l)["rule"]["id"] for l in open(sys.argv[1]) if l.strip())))' "$1"
}
check "scan (default) runs" scan default
check "scan --prefilter runs" scan on --prefilter
check "scan --no-prefilter runs" scan off --no-prefilter
active=$("$vigie" rules check --no-cache "$source_dir/rules/windows" 2>&1 | sed -nE 's/.* ([0-9]+) rules active.*/\1/p' | head -1)
check "the number of active rules is known ($active)" [ -n "$active" ]
check "--no-prefilter evaluates every rule on every event ($(evaluations off) = $n_events x $active)" \
  equals "$(evaluations off)" "$((n_events * active))"
check "--prefilter evaluates only candidates ($(evaluations on) < $((n_events * active)))" \
  [ "$(evaluations on)" -lt "$((n_events * active))" ]
check "the default is --prefilter" equals "$(evaluations default)" "$(evaluations on)"
check "the alerts are the same with and without the prefilter" \
  equals "$(rule_ids "$work/on.alerts")" "$(rule_ids "$work/off.alerts")"
check "there are alerts to compare" [ -s "$work/on.alerts" ]

help=$("$vigie" scan --help | grep -A3 -- '--prefilter,')
check "the help says --prefilter is the default and uses the prefilter" \
  grep -qE -- '--prefilter \(the default\)[^;]*prefilter|--prefilter \(the default\): Hyperscan' <<<"$help"
check "the help says --no-prefilter evaluates every rule on every event" \
  grep -qF -- '--no-prefilter evaluates every rule on every event' <<<"$help"

echo "passed $pass, failed $failures"
[ "$failures" -eq 0 ]
