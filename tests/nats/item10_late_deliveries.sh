#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Issue 19 item 10: a worker vanished in CI. Its cause: libnats 3.4.1 (Debian 12) writes past
# the array of a fetch that starts with messages already queued on the subscription while
# more keep coming (nats.c #749), and messages are queued that way whenever a fetch gave up
# at its deadline before the server ended its request (on a loaded machine the server reads
# the request late, and its expiry is only 10 ms shorter than the client's wait). Here the
# late deliveries are made on purpose: tests/nats/nats_probe.py late-pulls sends pull
# requests for the worker's inbox while it works through the stream. The worker must go on
# (no crash, no error) and alert on every event.
# Usage: item10_late_deliveries.sh VIGIE VIGIE_NATS_TOOL SOURCE_DIR [EVENTS]
set -euo pipefail
VIGIE=$1 TOOL=$2 SOURCE=$3 EVENTS=${4:-20000}
. "$SOURCE/tests/nats/nats_lib.sh"
. "$SOURCE/tests/support/check_lib.sh"
test_setup

start_nats
FETCH_BATCH=16 write_config w1
start_worker w1; W1=$LAST_PID
# The injector learns the worker's inbox from its next (idle) fetch, then pulls for it.
python3 "$SOURCE/tests/nats/nats_probe.py" late-pulls --server "127.0.0.1:$NATS_PORT" \
    --batch 16 --interval 0.005 --expires 1 --timeout 8 > "$WORK/late-pulls.out" 2> "$WORK/late-pulls.log" &
INJECTOR=$!
PIDS+=("$INJECTOR")
"$TOOL" publish --url "$NATS_URL" --file "$SOURCE/samples/windows-sysmon.ndjson" --count "$EVENTS"
"$TOOL" wait-drained --url "$NATS_URL" --timeout 30
wait "$INJECTOR" || { echo "FAIL: the late pulls did not run"; exit 1; }
echo "late pulls: $(cat "$WORK/late-pulls.out")"
check "the worker is still running after the late deliveries" kill -0 "$W1"
stop_worker "$W1"
result=$("$TOOL" alerts --expect "$EVENTS" "$WORK/w1.alerts") || true
echo "alerts: $result"
check "every event alerted (none lost)" equals "$(json_field "$result" missing)" 0
check "no error logged" eval '! grep "\"level\":\"error\"" "$WORK/w1.log"'
[ "$failures" -eq 0 ] || exit 1
echo PASS
