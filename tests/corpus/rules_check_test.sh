#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# `vigie rules check` over every rules*/ folder of the SigmaHQ snapshot must load every
# rule (exit 0, "loaded N of N rules"). Skipped (77) when the snapshot is absent.
set -u
vigie=$1
sigma=${VIGIE_SIGMA_DIR:-$2}
shopt -s nullglob
dirs=("$sigma"/rules*/)
if [ ${#dirs[@]} -eq 0 ]; then
  echo "SKIPPED: no SigmaHQ snapshot at $sigma (set VIGIE_SIGMA_DIR)"; exit 77
fi
out=$("$vigie" rules check --mapping windows "${dirs[@]}" 2>/tmp/vigie-rules-check.$$)
status=$?
grep -v ': warning: ' /tmp/vigie-rules-check.$$ | head -20
echo "warnings: $(grep -c ': warning: ' /tmp/vigie-rules-check.$$)"
rm -f /tmp/vigie-rules-check.$$
echo "$out"
last=$(echo "$out" | tail -1)
if [[ $status -ne 0 || ! $last =~ ^loaded\ ([0-9]+)\ of\ ([0-9]+)\ rules$ || ${BASH_REMATCH[1]} != "${BASH_REMATCH[2]}" || ${BASH_REMATCH[1]} -lt 1000 ]]; then
  echo "FAIL: not every rule loaded (exit $status)"; exit 1
fi
echo "PASS"
