#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# samples/nats-server.conf, the configuration README shows: a `vigie serve` worker reads
# the stream as user vigie; agency demo may publish on events.demo (alerted with agency
# demo) and nats-server refuses its publishes on events.other (another agency's subject)
# and on the dead-letter subject.
# Usage: permissions_test.sh VIGIE VIGIE_NATS_TOOL SOURCE_DIR
set -euo pipefail
VIGIE=$1 TOOL=$2 SOURCE=$3
. "$SOURCE/tests/nats/nats_lib.sh"
test_setup

start_nats "$SOURCE/samples/nats-server.conf"
NATS_URL="nats://vigie:vigie-password-change-me@127.0.0.1:$NATS_PORT"
write_config w
start_worker w; W=$LAST_PID
printf '{"seq":1,"EventID":1}\n' > "$WORK/event.ndjson"
demo=(--url "nats://127.0.0.1:$NATS_PORT" --user demo --password demo-password-change-me
      --inbox-prefix _INBOX_demo --file "$WORK/event.ndjson" --raw --sync)

"$TOOL" publish "${demo[@]}" --agency demo || { echo "FAIL: demo cannot publish on events.demo"; exit 1; }
for subject in other dead; do
    if "$TOOL" publish "${demo[@]}" --agency "$subject" 2> "$WORK/refused.txt"; then
        echo "FAIL: demo could publish on events.$subject"; exit 1
    fi
    echo "events.$subject refused to demo: $(tr '\n' ' ' < "$WORK/refused.txt")"
    grep -q "Permissions Violation for Publish to \"events.$subject\"" "$WORK/refused.txt" ||
        { echo "FAIL: not refused for permissions"; exit 1; }
    [ "$("$TOOL" subject-count --url "$NATS_URL" --subject "events.$subject")" = 0 ] ||
        { echo "FAIL: events.$subject holds a message"; exit 1; }
done
"$TOOL" wait-drained --url "$NATS_URL" --timeout 30
stop_worker "$W"
grep -q '"agency":"demo"' "$WORK/w.alerts" || { echo "FAIL: no alert for agency demo"; exit 1; }
[ "$(wc -l < "$WORK/w.alerts")" = 1 ] || { echo "FAIL: expected exactly one alert"; exit 1; }
echo "PASS"
