# The national network of samples/nats/ on loopback, for the agency tests (sourced after
# nats_lib.sh and test_setup): a one-node hub (samples/nats/hub.conf without its cluster
# block), agencies' leaf nodes (samples/nats/agency-leaf.conf with the agency's id), and an
# agency's `vigie serve` (samples/nats/vigie-agency.yaml), each configuration generated
# from its sample with free ports and $WORK paths substituted, so the tests run what the
# samples say. Needs VIGIE, TOOL, SOURCE, WORK.
#
#   start_hub                the hub (its store $WORK/hub-store kept across restarts):
#                            HUB_PID, HUB_PORT, HUB_URL (no user), HUB_LEAF_PORT.
#   kill_hub                 kill -9 of the hub.
#   hub_streams              ALERTS (alerts.>) and EVENTS (events.>), as the SOC user.
#   start_leaf AGENCY [rogue]  the agency's leaf node, connected to the hub:
#                            LEAF_PORT[AGENCY], LEAF_PID[AGENCY]. "rogue": without the
#                            sample's local users (no local restriction at all: what the
#                            agency may do is then only what the hub allows its leaf user).
#   start_agency_vigie AGENCY  its vigie serve on its leaf node: VIGIE_PID, HTTP, METRICS.
#   post AGENCY FROM TO      one POST of numbered events FROM..TO: CODE.
#   metric NAME [LABEL_MATCH]  a figure of the agency vigie's /metrics.
#   probe ...                tests/nats/nats_probe.py.

SOC=(--user soc --password soc-password-change-me)
HUB_PORT=$(free_port)
HUB_LEAF_PORT=$(free_port)
HUB_URL="nats://127.0.0.1:$HUB_PORT"
declare -A LEAF_PORT LEAF_PID

probe() { python3 "$SOURCE/tests/nats/nats_probe.py" "$@"; }

start_hub() {
    sed -e '/^# BEGIN cluster/,/^# END cluster/d' -e "s|/var/lib/nats|$WORK/hub-store|" \
        -e "s|127.0.0.1:4222|127.0.0.1:$HUB_PORT|" -e "s|127.0.0.1:7422|127.0.0.1:$HUB_LEAF_PORT|" \
        "$SOURCE/samples/nats/hub.conf" > "$WORK/hub.conf"
    nats-server -c "$WORK/hub.conf" >> "$WORK/hub.log" 2>&1 &
    HUB_PID=$!
    PIDS+=("$HUB_PID")
    wait_port "$HUB_PORT" 10 || { cat "$WORK/hub.log"; echo "FAIL: the hub did not start"; exit 1; }
}
kill_hub() { kill -9 "$HUB_PID" 2> /dev/null; wait "$HUB_PID" 2> /dev/null; }

hub_streams() {
    "$TOOL" hub-stream --url "$HUB_URL" "${SOC[@]}" --stream ALERTS --subjects 'alerts.>' \
        --duplicate-window 600 > /dev/null || { echo "FAIL: stream ALERTS"; exit 1; }
    "$TOOL" hub-stream --url "$HUB_URL" "${SOC[@]}" --stream EVENTS --subjects 'events.>' \
        --duplicate-window 600 > /dev/null || { echo "FAIL: stream EVENTS"; exit 1; }
}

# wait_log FILE PATTERN [SECONDS]: until FILE holds PATTERN (grep -E).
wait_log() {
    local tries=$(( ${3:-15} * 10 ))
    until grep -qE "$2" "$1" 2> /dev/null; do
        tries=$((tries - 1))
        [ "$tries" -gt 0 ] || return 1
        sleep 0.1
    done
}

start_leaf() {
    local agency=$1 port
    port=$(free_port)
    LEAF_PORT[$agency]=$port
    sed -e "s/demo/$agency/g" -e "s|127.0.0.1:4222|127.0.0.1:$port|" \
        -e "s|127.0.0.1:7422|127.0.0.1:$HUB_LEAF_PORT|" \
        "$SOURCE/samples/nats/agency-leaf.conf" > "$WORK/leaf-$agency.conf"
    [ "${2:-}" = rogue ] && sed -i '/^authorization {/,$d' "$WORK/leaf-$agency.conf"
    nats-server -c "$WORK/leaf-$agency.conf" > "$WORK/leaf-$agency.log" 2>&1 &
    LEAF_PID[$agency]=$!
    PIDS+=("$!")
    wait_port "$port" 10 && wait_log "$WORK/leaf-$agency.log" 'Leafnode connection created' ||
        { cat "$WORK/leaf-$agency.log"; echo "FAIL: leaf node $agency did not connect"; exit 1; }
}

# The agency's token: the sample's digest is that of "<agency>-token-change-me" for demo.
AGENCY_TOKEN=demo-token-change-me
start_agency_vigie() {
    local agency=$1
    sed -e "s|127.0.0.1:4222|127.0.0.1:${LEAF_PORT[$agency]}|" \
        -e "s|paths: \[rules\]|paths: [$SOURCE/tests/nats/rules]|" \
        -e "s|mapping: windows|mapping: flat\n  cache_dir: $WORK/cache|" \
        -e "s|/var/log/vigie/alerts.ndjson|$WORK/$agency.alerts|" \
        -e "s|/var/lib/vigie/spool|$WORK/$agency-spool|" \
        "$SOURCE/samples/nats/vigie-agency.yaml" > "$WORK/vigie-$agency.yaml"
    LOG=$WORK/vigie-$agency.log
    "$VIGIE" serve --config "$WORK/vigie-$agency.yaml" --http-listen 127.0.0.1:0 \
        --metrics-listen 127.0.0.1:0 > /dev/null 2>> "$LOG" &
    VIGIE_PID=$!
    PIDS+=("$VIGIE_PID")
    wait_log "$LOG" '"msg":"serving"' 60 || { cat "$LOG"; echo "FAIL: vigie serve did not start"; exit 1; }
    local line
    line=$(grep -m1 '"msg":"serving"' "$LOG")
    HTTP=$(sed -E 's/.*"http":"[^"]*:([0-9]+)".*/\1/' <<< "$line")
    METRICS=$(sed -E 's/.*"metrics":"[^"]*:([0-9]+)".*/\1/' <<< "$line")
}
stop_agency_vigie() {  # SIGTERM: exit status in STATUS
    kill -TERM "$VIGIE_PID"
    wait "$VIGIE_PID"
    STATUS=$?
}

post() {  # AGENCY FROM TO
    awk -v a="$2" -v b="$3" -v ag="$1" 'BEGIN {for (i = a; i <= b; i++)
        printf "{\"seq\":%d,\"host\":\"%s-ws-%02d\",\"message\":\"agency test event %d\"}\n", i, ag, i % 20, i}' \
        > "$WORK/body.ndjson"
    CODE=$(curl -s -o "$WORK/answer" -w '%{http_code}' -X POST \
        -H "Authorization: Bearer $AGENCY_TOKEN" -H 'Content-Type: application/x-ndjson' \
        --data-binary "@$WORK/body.ndjson" "http://127.0.0.1:$HTTP/v1/events")
}

metric() {  # NAME [LABEL_MATCH]
    curl -s "http://127.0.0.1:$METRICS/metrics" |
        grep -E "^$1(\{[^}]*${2:-}[^}]*\})? " | head -1 | awk '{printf "%.0f", $2}'
}
