#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Issue 19 item 8: a cold `vigie rules check` (empty cache directory) over the project's own
# rules, then over the SigmaHQ snapshot, writes every Hyperscan database to the cache and
# prints no cache warning (the snapshot has many identical databases compiled at once, which is
# where the race showed; without it the test checks the project's rules and exits 77). Before the
# fix, loader threads storing the same database shared one temporary file name (the process
# id), the slower rename failed and every cold check warned "cannot write the Hyperscan cache".
set -u
vigie=$1
source_dir=$2
sigma=${VIGIE_SIGMA_DIR:-${3:-}}
. "$source_dir/tests/support/check_lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

no_cache_warning() { ! grep -F 'Hyperscan cache' "$1"; }
cache_holds_only_databases() {
  local left
  left=$(find "$work/cache-$1" -type f ! -name '*.hsdb')
  [ -z "$left" ] || { echo "  left behind: $left"; return 1; }
  [ -n "$(find "$work/cache-$1" -name '*.hsdb')" ]
}

# Several times: the race is between threads of one run, so one lucky run proves little.
for round in 1 2 3 4 5; do
  for mapping in windows ecs; do
    cache="$work/cache-$round-$mapping"
    "$vigie" rules check --mapping "$mapping" --cache-dir "$cache" "$source_dir/rules/windows" \
      "$source_dir/rules/linux" "$source_dir/rules/cloud" >"$work/out" 2>"$work/err"
    status=$?
    check "round $round ($mapping): rules check exits 0 (exit $status)" [ "$status" -eq 0 ]
    check "round $round ($mapping): no cache warning on a cold cache" no_cache_warning "$work/err"
    check "round $round ($mapping): the cache holds databases and no temporary" \
      cache_holds_only_databases "$round-$mapping"
  done
done
# A warm run takes its databases from the cache, still silently.
"$vigie" rules check --mapping windows --cache-dir "$work/cache-1-windows" "$source_dir/rules/windows" \
  "$source_dir/rules/linux" "$source_dir/rules/cloud" >"$work/out" 2>"$work/err"
check "a warm run prints no cache warning" no_cache_warning "$work/err"

shopt -s nullglob
sigma_dirs=()
[ -n "$sigma" ] && sigma_dirs=("$sigma"/rules*/)
if [ ${#sigma_dirs[@]} -eq 0 ]; then
  echo "passed $pass, failed $failures"
  [ "$failures" -eq 0 ] || exit 1
  echo "SKIPPED: no SigmaHQ snapshot at '$sigma' (set VIGIE_SIGMA_DIR); project rules checked"
  exit 77
fi
for round in 1 2; do
  cache="$work/cache-sigma-$round"
  "$vigie" rules check --mapping windows --cache-dir "$cache" "${sigma_dirs[@]}" >"$work/out" 2>"$work/err"
  status=$?
  check "SigmaHQ round $round: rules check exits 0 (exit $status)" [ "$status" -eq 0 ]
  check "SigmaHQ round $round: no cache warning on a cold cache" no_cache_warning "$work/err"
  check "SigmaHQ round $round: the cache holds databases and no temporary" \
    cache_holds_only_databases "sigma-$round"
done

echo "passed $pass, failed $failures"
[ "$failures" -eq 0 ]
