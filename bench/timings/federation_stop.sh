#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Timing moved out of tests/federation/two_peers_test.sh (issue 19 item 3): how long CERT-B
# takes from SIGTERM to exit while its poll of a peer that never answers is in progress.
# The test asserts the behaviour (the stop interrupts the poll rather than waiting for its
# 120 s timeout); this prints the figure. Usage: federation_stop.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
TIMINGS_OUT=$out "$here/tests/federation/two_peers_test.sh" "$build/vigie" "$here" > /dev/null
ms=$(sed -n 's/^federation_stop_ms //p' "$out")
echo "federation: SIGTERM to exit with a poll in progress: ${ms:-?} ms"
