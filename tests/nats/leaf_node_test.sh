#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Issue 18 acceptance: an agency leaf node with the hub down and back. The national network
# of samples/nats/ on loopback (leaf_lib.sh): the hub (hub.conf, one node, its store kept),
# agency demo's leaf node (agency-leaf.conf) and demo's `vigie serve` (vigie-agency.yaml:
# a nats output on the leaf node, inbox_prefix _INBOX_demo), fed numbered events over HTTP
# at a steady rate. Under that load the hub is killed (kill -9) for OUTAGE seconds and
# restarted on its store. Then:
#  - every POST was accepted (the outage is invisible to the agency's sources);
#  - the alerts waited in vigie's spool (its peak read from /metrics) and the leaf node
#    stayed up: vigie's own connection (to the leaf node) never dropped;
#  - every alert is in the hub's ALERTS stream exactly once: messages = distinct uids =
#    events, none missing, none twice;
#  - nothing is left pending, and vigie exits 0 on SIGTERM.
# Figures printed: events, alerts in the hub, missing, duplicates, spool peak, catch-up.
# HUB_NODES=3: the hub is three nodes from hub.conf (3-replica streams) and the node the
# leaf node is attached to is the one killed: the leaf node moves to another one.
# Usage: leaf_node_test.sh VIGIE VIGIE_NATS_TOOL SOURCE_DIR
set -u
VIGIE=$1 TOOL=$2 SOURCE=$3
. "$SOURCE/tests/nats/nats_lib.sh"
. "$SOURCE/tests/support/check_lib.sh"
test_setup
. "$SOURCE/tests/nats/leaf_lib.sh"
RATE=${RATE:-200}        # events per second
BATCH=${BATCH:-50}       # events per POST
BEFORE=${BEFORE:-6}      # seconds of load before the hub goes down
OUTAGE=${OUTAGE:-15}     # seconds the hub stays down
AFTER=${AFTER:-6}        # seconds of load after it is back

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}'; }

start_hub
hub_streams
start_leaf demo
start_agency_vigie demo

# load SECONDS: POSTs of BATCH events paced at RATE until told to stop ($WORK/stop-load)
# or SECONDS passed; each accepted range's last seq goes to $WORK/load.last, refusals to
# $WORK/load.refused (a refused POST is sent again: none is lost by the generator).
load() {  # [FIRST SEQ]
    local first=${1:-1} seq=${1:-1} begin due
    begin=$(now)
    : > "$WORK/load.refused"
    while [ ! -e "$WORK/stop-load" ]; do
        post demo "$seq" $((seq + BATCH - 1))
        if [ "$CODE" = 200 ]; then
            seq=$((seq + BATCH))
            echo $((seq - 1)) > "$WORK/load.last"
        else
            echo "POST $seq..: $CODE $(cat "$WORK/answer")" >> "$WORK/load.refused"
        fi
        # Pacing (not synchronisation): the next POST is due at (seq - first) / RATE seconds.
        due=$(awk -v b="$begin" -v n=$((seq - first)) -v r="$RATE" -v t="$(now)" \
            'BEGIN {d = b + n / r - t; printf "%.3f", (d > 0 ? d : 0)}')
        sleep "$due"  # pacing of the load (see above), not a synchronisation
    done
}
last_posted() { cat "$WORK/load.last" 2> /dev/null || echo 0; }
in_hub() {
    "$TOOL" subject-count --url "$HUB_URL" "${SOC[@]}" --stream ALERTS --subject alerts.demo \
        2> /dev/null || echo 0
}
# wait_or_say DESCRIPTION SECONDS COMMAND...: polls COMMAND every 0.2 s; says DESCRIPTION when
# SECONDS pass first (named apart from check_lib.sh's wait_until, which the shared helpers use).
wait_or_say() {
    local what=$1 tries=$(( $2 * 5 ))
    shift 2
    until "$@"; do
        tries=$((tries - 1))
        [ "$tries" -gt 0 ] || { echo "FAIL: $what"; return 1; }
        sleep 0.2  # poll interval of a bounded wait on the condition checked above, not a synchronisation
    done
}
hub_holds() { [ "$(in_hub)" -ge "$1" ]; }
posted_at_least() { [ "$(last_posted)" -ge "$1" ]; }
# check_every_alert_once WHAT: every POST of the load was accepted, and the hub-check result
# $HUB has the alert of each of the $N events once (WHAT begins the checks' names).
check_every_alert_once() {
    check "$1: every POST accepted" equals "$(wc -l < "$WORK/load.refused")" 0
    check "$1: $N alerts in the hub" equals "$(json_field "$HUB" messages)" "$N"
    check "$1: distinct uids == events" equals "$(json_field "$HUB" distinct_ids)" "$N"
    check "$1: none missing" equals "$(json_field "$HUB" missing_seqs)" 0
    check "$1: none twice" equals "$(json_field "$HUB" duplicate_seqs)" 0
}

echo "== load: $RATE events/s in POSTs of $BATCH; $HUB_NODES hub node(s), one down $OUTAGE s in the middle"
load &
LOADER=$!
PIDS+=("$LOADER")
wait_or_say "alerts reach the hub under load" 60 posted_at_least $((RATE * BEFORE))
wait_or_say "the hub holds the first alerts" 60 hub_holds $((RATE * BEFORE / 2))
before=$(in_hub)
leaf_links=$(grep -c 'Leafnode connection created' "$WORK/leaf-demo.log")
leaf_links_over() { [ "$(grep -c 'Leafnode connection created' "$WORK/leaf-demo.log")" -gt "$1" ]; }
if [ "$HUB_NODES" = 1 ]; then
    kill_hub
    what="the hub"
else  # the node the leaf node is attached to
    victim=$(leaf_hub_node demo)
    kill_hub_node "$victim"
    what="hub node $victim (the leaf node's)"
fi
down_at=$(now)
echo "  $what killed with $before alerts in the hub, $(last_posted) events posted"
if [ "$HUB_NODES" != 1 ]; then
    check "the leaf node moves to another hub node" wait_or_say "leaf failover" 30 leaf_links_over "$leaf_links"
    echo "  the leaf node reattached $(since "$down_at") s after the kill"
fi

# During the outage: the spool's pending alerts (peak), what vigie says.
peak=0
while [ "$(awk -v a="$down_at" -v b="$(now)" -v o="$OUTAGE" 'BEGIN {print (b - a < o)}')" = 1 ]; do
    pending=$(metric vigie_spool_pending_alerts 'output="hub"')
    [ -n "$pending" ] && [ "$pending" -gt "$peak" ] && peak=$pending
    sleep 0.5  # sampling interval of the figures during the deliberate outage, not a synchronisation
done
posted_down=$(last_posted)
echo "  after $(since "$down_at") s down: $posted_down events posted, spool peak $peak alerts pending"
if [ "$HUB_NODES" = 1 ]; then
    check "the alerts waited in the spool while the hub was down" test "$peak" -gt 0
    start_hub
    up_at=$(now)
    check "the leaf node reconnects to the hub" wait_or_say "leaf reconnection" 30 leaf_links_over "$leaf_links"
    echo "  the leaf node reconnected $(since "$up_at") s after the hub restarted"
else
    start_hub_node "$victim"
    up_at=$(now)
fi
wait_or_say "load after the restart" 60 posted_at_least $((posted_down + RATE * AFTER))
touch "$WORK/stop-load"
wait "$LOADER"
N=$(last_posted)
echo "  load stopped: $N events posted"

HUB=$("$TOOL" hub-check --url "$HUB_URL" "${SOC[@]}" --stream ALERTS --expect "$N" --timeout 120)
caught_up=$(since "$up_at")
echo "  hub ALERTS: $HUB"
check_every_alert_once "hub down"
check "Nats-Msg-Id == alert uid" equals "$(json_field "$HUB" id_mismatch)" 0
pending=""
for _ in $(seq 50); do  # vigie folds its figures into /metrics about once a second
    pending=$(metric vigie_spool_pending_alerts 'output="hub"')
    [ "$pending" = 0 ] && break
    sleep 0.2  # poll interval of a bounded wait on the condition checked above, not a synchronisation
done
check "nothing pending in the spool afterwards" equals "$pending" 0
failed=$(grep -c '"delivery failed; retrying"' "$LOG")
disconnects=$(grep -c '"hub disconnected' "$LOG")
echo "  vigie: $failed 'delivery failed; retrying' lines, $disconnects disconnections from its leaf node; first failure:"
grep -m1 '"delivery failed; retrying"' "$LOG" | sed 's/^/    /'
check "vigie's connection to its leaf node never dropped" equals "$disconnects" 0
# The hub's return is no event on vigie's connection (to the leaf node): the output finds
# out at its next retry, its backoff (0.5 s doubling, full jitter) capped at 30 s.
resumed_ts=$(grep '"msg":"delivering again"' "$LOG" | tail -n 1 | sed -E 's/.*"ts":"([^"]*)".*/\1/')
if [ -n "$resumed_ts" ]; then
    resumed_at=$(date -d "$resumed_ts" +%s.%N)
    resumed=$(awk -v a="$up_at" -v b="$resumed_at" 'BEGIN {printf "%.1f", b - a}')
    resumed_kill=$(awk -v a="$down_at" -v b="$resumed_at" 'BEGIN {printf "%.1f", b - a}')
else
    resumed="(no failure)" resumed_kill="(no failure)"
fi
echo "  delivery resumed ${resumed_kill} s after the kill$([ "$HUB_NODES" = 1 ] && echo ", ${resumed} s after the restart")"
FIGURES_HUB="events $N, alerts in the hub $(json_field "$HUB" messages), distinct uids\
 $(json_field "$HUB" distinct_ids), missing $(json_field "$HUB" missing_seqs), duplicates\
 $(json_field "$HUB" duplicate_seqs), $what down ${OUTAGE} s at $RATE events/s, spool\
 peak $peak alerts, delivery resumed ${resumed_kill} s after the kill$([ "$HUB_NODES" = 1 ] && echo " (${resumed} s after the restart)"),\
 every alert in the hub ${caught_up} s after the restart (the load went on ${AFTER} s after it)"

# The agency's own leaf node down (one-node runs): vigie's connection drops this time, the
# client library reconnects (every second) once the leaf node is back on its port.
LEAF_OUTAGE=${LEAF_OUTAGE:-5}
if [ "$HUB_NODES" = 1 ] && [ "$LEAF_OUTAGE" -gt 0 ]; then
    echo "== the agency's leaf node down $LEAF_OUTAGE s under the same load"
    rm -f "$WORK/stop-load"
    first=$((N + 1))
    load "$first" &
    LOADER=$!
    PIDS+=("$LOADER")
    wait_or_say "load before the leaf node's kill" 60 posted_at_least $((N + RATE * 2))
    kill -9 "${LEAF_PID[demo]}"
    wait "${LEAF_PID[demo]}" 2> /dev/null
    leaf_down_at=$(now)
    check "vigie sees its connection to the leaf node drop" \
        wait_log "$LOG" '"msg":"hub disconnected' 10
    leaf_peak=0
    while [ "$(awk -v a="$leaf_down_at" -v b="$(now)" -v o="$LEAF_OUTAGE" 'BEGIN {print (b - a < o)}')" = 1 ]; do
        pending=$(metric vigie_spool_pending_alerts 'output="hub"')
        [ -n "$pending" ] && [ "$pending" -gt "$leaf_peak" ] && leaf_peak=$pending
        sleep 0.5  # sampling interval of the figures during the deliberate outage, not a synchronisation
    done
    leaf_links=$(grep -c 'Leafnode connection created' "$WORK/leaf-demo.log")
    restart_leaf demo
    leaf_up_at=$(now)
    check "the leaf node is attached to the hub again" \
        wait_or_say "leaf node attached" 30 leaf_links_over "$leaf_links"
    check "vigie reconnects to its leaf node" wait_log "$LOG" '"msg":"hub reconnected"' 30
    echo "  vigie reconnected $(since "$leaf_up_at") s after the leaf node restarted"
    posted_down=$(last_posted)
    wait_or_say "load after the leaf node's restart" 60 posted_at_least $((posted_down + RATE * 3))
    touch "$WORK/stop-load"
    wait "$LOADER"
    N=$(last_posted)
    HUB=$("$TOOL" hub-check --url "$HUB_URL" "${SOC[@]}" --stream ALERTS --expect "$N" --timeout 120)
    leaf_caught_up=$(since "$leaf_up_at")
    echo "  hub ALERTS: $HUB"
    check_every_alert_once "leaf down"
    FIGURES_LEAF="; then the leaf node down ${LEAF_OUTAGE} s: events $N in all, alerts in the\
 hub $(json_field "$HUB" messages), missing $(json_field "$HUB" missing_seqs), duplicates\
 $(json_field "$HUB" duplicate_seqs), spool peak $leaf_peak alerts, every alert in the hub\
 ${leaf_caught_up} s after the leaf node restarted (the load went on 3 s after it)"
fi

stop_agency_vigie
check "vigie exits 0 after SIGTERM" equals "$STATUS" 0
# The output's URL carries the agency vigie's password for its leaf node (the sample's).
lacks() { ! grep -qF -- "$2" "$1"; }
check "vigie's log never shows the leaf node password" lacks "$LOG" vigie-demo-password-change-me

echo "FIGURES: ${FIGURES_HUB}${FIGURES_LEAF:-}"
checks_result
