# SPDX-License-Identifier: EUPL-1.2
# shellcheck shell=bash
# The national network of samples/nats/ on loopback, for the agency tests (sourced after
# nats_lib.sh and test_setup): a one-node hub (samples/nats/hub.conf without its cluster
# block), agencies' leaf nodes (samples/nats/agency-leaf.conf with the agency's id), and an
# agency's `vigie serve` (samples/nats/vigie-agency.yaml), each configuration generated
# from its sample with free ports and $WORK paths substituted, so the tests run what the
# samples say. Needs VIGIE, TOOL, SOURCE, WORK.
#
#   HUB_NODES=1 (default)    a one-node hub: hub.conf without its cluster block;
#   HUB_NODES=3              hub1..hub3 from hub.conf with its cluster block, routes to
#                            each other; the leaf nodes list every node.
#   HUB_EXTRA_USERS=FILE     user blocks added to the hub's account SOC (a test's own).
#   start_hub                every hub node (stores $WORK/hub-store-<i> kept across
#                            restarts): HUB_URL (every node, no user), HUB_PORT (node 1).
#   start_hub_node I / kill_hub_node I   one node (kill -9); HUB_NODE_PID[I].
#   kill_hub                 kill -9 of every node.
#   leaf_hub_node AGENCY     the hub node the agency's leaf node is attached to (its log).
#   hub_streams              ALERTS (alerts.>) and EVENTS (events.>), as the SOC user.
#   start_leaf AGENCY [rogue]  the agency's leaf node, connected to the hub:
#                            LEAF_PORT[AGENCY], LEAF_PID[AGENCY]. "rogue": without the
#                            sample's local users (no local restriction at all: what the
#                            agency may do is then only what the hub allows its leaf user).
#   restart_leaf AGENCY      the same leaf node again (its configuration, port and log).
#   start_agency_vigie AGENCY  its vigie serve on its leaf node: VIGIE_PID, HTTP, METRICS.
#   post AGENCY FROM TO      one POST of numbered events FROM..TO: CODE.
#   metric NAME [LABEL_MATCH]  a figure of the agency vigie's /metrics.
#   probe ...                tests/nats/nats_probe.py.
#   checks_result            the test's last line: the check counts, its exit status.

SOC=(--user soc --password soc-password-change-me)
HUB_NODES=${HUB_NODES:-1}
HUB_NODE_PORT=() HUB_NODE_LEAF=() HUB_NODE_ROUTE=() HUB_NODE_PID=()
HUB_URL=""
for i in $(seq "$HUB_NODES"); do
    HUB_NODE_PORT[i]=$(free_port) HUB_NODE_LEAF[i]=$(free_port) HUB_NODE_ROUTE[i]=$(free_port)
    HUB_URL="${HUB_URL:+$HUB_URL,}nats://127.0.0.1:${HUB_NODE_PORT[i]}"
done
HUB_PORT=${HUB_NODE_PORT[1]}
declare -A LEAF_PORT LEAF_PID

probe() { python3 "$SOURCE/tests/nats/nats_probe.py" "$@"; }

# The node's configuration from the sample: ports, store, name; the cluster block dropped
# (one node) or its routes pointed at the nodes' route ports (hub1..hub3.soc.example).
hub_node_config() {  # I
    local i=$1 j routes=()
    if [ "$HUB_NODES" = 1 ]; then
        routes=(-e '/^# BEGIN cluster/,/^# END cluster/d')
    else
        routes=(-e "s|127.0.0.1:6222|127.0.0.1:${HUB_NODE_ROUTE[i]}|")
        for j in $(seq "$HUB_NODES"); do
            routes+=(-e "s|hub$j.soc.example:6222|127.0.0.1:${HUB_NODE_ROUTE[j]}|")
        done
    fi
    sed "${routes[@]}" -e "s|server_name: hub1|server_name: hub$i|" \
        -e "s|/var/lib/nats|$WORK/hub-store-$i|" -e "s|127.0.0.1:4222|127.0.0.1:${HUB_NODE_PORT[i]}|" \
        -e "s|127.0.0.1:7422|127.0.0.1:${HUB_NODE_LEAF[i]}|" \
        "$SOURCE/samples/nats/hub.conf" > "$WORK/hub$i.conf"
    # A test's own users (HUB_EXTRA_USERS: a file of user blocks), added to account SOC.
    if [ -n "${HUB_EXTRA_USERS:-}" ]; then
        sed -i "/^    users: \[/r $HUB_EXTRA_USERS" "$WORK/hub$i.conf"
    fi
}
start_hub_node() {  # I
    hub_node_config "$1"
    nats-server -c "$WORK/hub$1.conf" >> "$WORK/hub$1.log" 2>&1 &
    HUB_NODE_PID[$1]=$!
    PIDS+=("$!")
    wait_port "${HUB_NODE_PORT[$1]}" 10 ||
        { cat "$WORK/hub$1.log"; echo "FAIL: hub node $1 did not start"; exit 1; }
}
kill_hub_node() {  # I
    kill -9 "${HUB_NODE_PID[$1]}" 2> /dev/null
    wait "${HUB_NODE_PID[$1]}" 2> /dev/null
}
start_hub() { for i in $(seq "$HUB_NODES"); do start_hub_node "$i"; done; }
kill_hub() { for i in $(seq "$HUB_NODES"); do kill_hub_node "$i"; done; }

# ALERTS and EVENTS with one replica per node, as the SOC's user; a cluster's JetStream
# needs its meta leader first, so the creation is retried for a while.
hub_streams() {
    local stream subjects
    for stream in ALERTS EVENTS; do
        subjects=alerts.\>
        [ "$stream" = EVENTS ] && subjects=events.\>
        for _ in $(seq 100); do
            "$TOOL" hub-stream --url "$HUB_URL" "${SOC[@]}" --stream "$stream" \
                --subjects "$subjects" --duplicate-window 600 --replicas "$HUB_NODES" \
                > "$WORK/hub-stream.out" 2>&1 && break
            sleep 0.2  # retry pause: the stream is created once the cluster has a meta leader
        done || { cat "$WORK/hub-stream.out"; echo "FAIL: stream $stream"; exit 1; }
    done
}

leaf_hub_node() {  # AGENCY: the node whose log has the latest leaf connection
    local i best="" latest="" t
    for i in $(seq "$HUB_NODES"); do
        t=$(grep 'Leafnode connection created' "$WORK/hub$i.log" 2> /dev/null | tail -n 1 | cut -d' ' -f2,3)
        if [ -n "$t" ] && [[ -z "$latest" || "$t" > "$latest" ]]; then latest=$t best=$i; fi
    done
    echo "$best"
}

# wait_log FILE PATTERN [SECONDS]: until FILE holds PATTERN (grep -E).
wait_log() {
    local tries=$(( ${3:-15} * 10 ))
    until grep -qE "$2" "$1" 2> /dev/null; do
        tries=$((tries - 1))
        [ "$tries" -gt 0 ] || return 1
        sleep 0.1  # poll interval of a bounded wait on the condition checked above, not a synchronisation
    done
}

start_leaf() {
    local agency=$1 port
    port=$(free_port)
    LEAF_PORT[$agency]=$port
    # The sample's first remote URL, once per hub node.
    local remote="nats://leaf-$agency:leaf-$agency-password-change-me" urls="" i
    for i in $(seq "$HUB_NODES"); do
        urls="${urls:+$urls, }\"$remote@127.0.0.1:${HUB_NODE_LEAF[i]}\""
    done
    sed -e "s/demo/$agency/g" -e "s|127.0.0.1:4222|127.0.0.1:$port|" \
        -e "s|\"$remote@127.0.0.1:7422\"|$urls|" \
        "$SOURCE/samples/nats/agency-leaf.conf" > "$WORK/leaf-$agency.conf"
    [ "${2:-}" = rogue ] && sed -i '/^authorization {/,$d' "$WORK/leaf-$agency.conf"
    nats-server -c "$WORK/leaf-$agency.conf" > "$WORK/leaf-$agency.log" 2>&1 &
    LEAF_PID[$agency]=$!
    PIDS+=("$!")
    wait_port "$port" 10 && wait_log "$WORK/leaf-$agency.log" 'Leafnode connection created' ||
        { cat "$WORK/leaf-$agency.log"; echo "FAIL: leaf node $agency did not connect"; exit 1; }
}

restart_leaf() {  # AGENCY: the same configuration and port, after a kill
    local agency=$1
    nats-server -c "$WORK/leaf-$agency.conf" >> "$WORK/leaf-$agency.log" 2>&1 &
    LEAF_PID[$agency]=$!
    PIDS+=("$!")
    wait_port "${LEAF_PORT[$agency]}" 10 ||
        { cat "$WORK/leaf-$agency.log"; echo "FAIL: leaf node $agency did not restart"; exit 1; }
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
    start_vigie_serve "$LOG" "$VIGIE" --config "$WORK/vigie-$agency.yaml" \
        --http-listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0 > /dev/null || exit 1
    VIGIE_PID=$SERVE_PID HTTP=$SERVE_HTTP METRICS=$SERVE_METRICS
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

# checks_result: the counts of check (check_lib.sh), after the last lines of every log under
# $WORK when a check failed; its status is the test's: 0 when every check passed.
checks_result() {
    if [ "$failures" -gt 0 ]; then
        for f in "$WORK"/*.log; do echo "--- $f (last lines)"; tail -n 15 "$f"; done
    fi
    echo "$pass checks passed, $failures failed"
    [ "$failures" -eq 0 ] && echo PASS
    [ "$failures" -eq 0 ]
}
