#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Issue 18 item 7: one agency can neither publish as, nor read the alerts of, nor receive
# the publish acknowledgements of another. The national network of samples/nats/ on
# loopback: the hub (hub.conf, one node), agency demo's leaf node (agency-leaf.conf) with
# demo's `vigie serve` (vigie-agency.yaml: a nats output with inbox_prefix _INBOX_demo) and
# demo's event publisher, and agency other's leaf node run "rogue": the sample with its
# local users removed, so that other's clients may do anything on their own server and
# only what the hub allows user leaf-other crosses.
#  1. leaf-other's credentials are for a leaf node only: the hub refuses them to a client;
#  2. a client on other's leaf node subscribes to demo's alerts and events, to alerts.>,
#     to demo's and the default inboxes, and to everything (>), while demo's vigie forwards
#     its alerts (acknowledged on _INBOX_demo), demo publishes events and the hub's vigie
#     worker (user vigie of hub.conf) fetches and evaluates them (on _INBOX): every alert
#     and event reaches the hub once, and other's client receives none of them nor any ack
#     (while the same listener as the SOC's user, on the hub, receives them all: the
#     control that the traffic was there to be seen);
#     The counter-check: agency legacy, whose leaf user has the permission agencies needed
#     before item 7 (subscribe _INBOX.>), does receive demo's events (the hub worker's
#     fetches) and alerts (the SOC reading ALERTS), as the issue saw;
#  3. other publishes on alerts.demo and events.demo, and asks the hub's JetStream API for
#     demo's alerts: no acknowledgement, no answer, and the hub's streams hold nothing of
#     it; its own alerts.other is acknowledged (the path works, only the subjects differ).
# Usage: agency_isolation_test.sh VIGIE VIGIE_NATS_TOOL SOURCE_DIR
set -u
VIGIE=$1 TOOL=$2 SOURCE=$3
. "$SOURCE/tests/nats/nats_lib.sh"
. "$SOURCE/tests/support/check_lib.sh"
test_setup
. "$SOURCE/tests/nats/leaf_lib.sh"
N=${N:-200}

# The counter-check: agency "legacy" gets the leaf user agencies needed before item 7
# (subscribe _INBOX.>, to receive acks on the default inbox); it is not in the sample.
cat > "$WORK/legacy-user.conf" <<'CONF'
      {
        user: leaf-legacy
        password: leaf-legacy-password-change-me
        allowed_connection_types: ["LEAFNODE"]
        permissions: {
          publish: { allow: ["events.legacy", "alerts.legacy"] }
          subscribe: { allow: ["_INBOX.>"] }
        }
      }
CONF
HUB_EXTRA_USERS=$WORK/legacy-user.conf
start_hub
hub_streams
start_leaf demo
start_leaf other rogue
start_leaf legacy rogue
DEMO_LEAF=127.0.0.1:${LEAF_PORT[demo]} OTHER_LEAF=127.0.0.1:${LEAF_PORT[other]}

# start_listener NAME SERVER SUBJECTS MARKER [OPTION...]: a probe on SERVER listening to
# SUBJECTS until it receives MARKER, in the background (LAST_PID, added to PIDS), its
# findings in $WORK/NAME.out; returns once it is ready.
start_listener() {
    local name=$1 server=$2 subjects=$3 marker=$4
    shift 4
    probe listen --server "$server" "$@" --subjects "$subjects" --marker "$marker" --timeout 120 \
        > "$WORK/$name.out" 2> "$WORK/$name.err" &
    LAST_PID=$!
    PIDS+=("$LAST_PID")
    wait_log "$WORK/$name.out" '"ready"' 10 || { cat "$WORK/$name.err"; echo "FAIL: $name"; exit 1; }
}
# hub_publish SUBJECT PAYLOAD: the SOC's user publishes PAYLOAD on SUBJECT at the hub.
hub_publish() {
    probe publish --server "127.0.0.1:$HUB_PORT" "${SOC[@]}" --subject "$1" --no-reply \
        --payload "$2" > /dev/null
}
# sync_listener NAME MARKER: publishes MARKER until listener NAME has it (10 s at most): the
# hub knows the listener's subscriptions once it routes a marker to it (a leaf node sends
# its interest in order, the marker's last).
sync_listener() {
    for _ in $(seq 100); do
        hub_publish "$2" sync
        grep -q '"synced"' "$WORK/$1.out" && return 0
        sleep 0.1  # poll interval of a bounded wait on the condition checked above, not a synchronisation
    done
}

echo "== item 7.1: leaf-other's credentials are refused to a client of the hub"
probe listen --server "127.0.0.1:$HUB_PORT" --user leaf-other --password leaf-other-password-change-me \
    --subjects 'alerts.>' --timeout 5 > "$WORK/direct.out" 2> "$WORK/direct.err"
status=$?
echo "  exit $status: $(cat "$WORK/direct.err")"
check "7.1: the connection is closed (probe exit 2)" equals "$status" 2
check "7.1: the hub says why" has "$WORK/hub1.log" 'authentication error - User "leaf-other"'

echo "== item 7.2: other listens on its own leaf node while demo works"
SUBJECTS='alerts.demo,alerts.>,events.demo,events.>,_INBOX_demo.>,_INBOX.>,>'
MARKER=_INBOX_other.isolation-marker
start_listener listen "$OTHER_LEAF" "$SUBJECTS" "$MARKER"
LISTENER=$LAST_PID
sync_listener listen "$MARKER"
check "7.2: the hub routes to other's listener" has "$WORK/listen.out" '"synced"'
# The counter-check: a client on legacy's leaf node listens to the default inbox.
LEGACY_MARKER=_INBOX.legacy-marker
start_listener legacy "127.0.0.1:${LEAF_PORT[legacy]}" '_INBOX.>' "$LEGACY_MARKER"
LEGACY=$LAST_PID
sync_listener legacy "$LEGACY_MARKER"
check "7.2: the hub routes to legacy's listener" has "$WORK/legacy.out" '"synced"'
# The control: the same listener as the SOC's user, on the hub, sees demo's traffic.
SOC_MARKER=_INBOX_soc.isolation-marker
start_listener control "127.0.0.1:$HUB_PORT" 'alerts.demo,_INBOX_demo.>,_INBOX.>' "$SOC_MARKER" \
    "${SOC[@]}"
CONTROL=$LAST_PID

# The hub's vigie worker (user vigie of hub.conf) evaluates the agencies' events; the
# events it fetches come back to it on _INBOX.>, which other listens to as well.
NATS_URL="nats://soc:soc-password-change-me@127.0.0.1:$HUB_PORT"
write_config hub-worker "nats://vigie:vigie-password-change-me@127.0.0.1:$HUB_PORT"
start_worker hub-worker
WORKER=$LAST_PID
start_agency_vigie demo
for ((from = 1; from <= N; from += 50)); do
    post demo "$from" $((from + 49 < N ? from + 49 : N))
    [ "$CODE" = 200 ] || echo "  POST $from..: $CODE $(cat "$WORK/answer")"
done
HUB=$("$TOOL" hub-check --url "$HUB_URL" "${SOC[@]}" --stream ALERTS --expect "$N" --timeout 60)
echo "  hub ALERTS: $HUB"
check "7.2: demo's $N alerts in the hub" equals "$(json_field "$HUB" messages)" "$N"
check "7.2: each alert once" equals "$(json_field "$HUB" duplicate_seqs)" 0
check "7.2: none missing" equals "$(json_field "$HUB" missing_seqs)" 0
check "7.2: demo's vigie had no delivery failure" equals \
    "$(grep -c 'delivery failed' "$LOG")" 0
delivered=""
for _ in $(seq 50); do  # vigie folds its counters into /metrics about once a second
    delivered=$(metric vigie_output_delivered_total 'output="hub"')
    [ "$delivered" = "$N" ] && break
    sleep 0.2  # poll interval of a bounded wait on the condition checked above, not a synchronisation
done
check "7.2: the nats output counts $N delivered" equals "$delivered" "$N"
printf '{"host":"demo-ws-01","message":"an event of demo"}\n' > "$WORK/event.ndjson"
check "7.2: demo publishes its events through its leaf node, acknowledged on _INBOX_demo" \
    "$TOOL" publish --url "nats://$DEMO_LEAF" --user publisher \
    --password publisher-demo-password-change-me --inbox-prefix _INBOX_demo \
    --file "$WORK/event.ndjson" --agency demo --count "$N"
events=$("$TOOL" subject-count --url "$HUB_URL" "${SOC[@]}" --stream EVENTS --subject events.demo)
check "7.2: demo's $N events in the hub" equals "$events" "$N"
check "7.2: the hub's worker fetched and acknowledged them all" \
    "$TOOL" wait-drained --url "$NATS_URL" --timeout 60
check "7.2: the hub's worker alerted on $N events of agency demo" equals \
    "$(grep -c '"agency":"demo"' "$WORK/hub-worker.alerts")" "$N"

for marker in "$MARKER" "$SOC_MARKER" "$LEGACY_MARKER"; do hub_publish "$marker" end; done
wait "$LISTENER" "$CONTROL" "$LEGACY"
legacy=$(tail -n 1 "$WORK/legacy.out")
echo "  legacy's listener (the leaf user of before item 7): $legacy"
control=$(tail -n 1 "$WORK/control.out")
echo "  the SOC's listener (control): $control"
count_of() {  # RESULT SUBJECT
    python3 -c 'import json,sys; print(json.loads(sys.argv[1])["received"][sys.argv[2]])' "$1" "$2"
}
check "7.2: control: the SOC saw demo's $N alerts" equals "$(count_of "$control" alerts.demo)" "$N"
check "7.2: control: the SOC saw demo's acks on _INBOX_demo (alerts and events)" \
    test "$(count_of "$control" '_INBOX_demo.>')" -ge $((2 * N))
check "7.2: control: the SOC saw the events the hub's worker fetched on _INBOX" \
    test "$(count_of "$control" '_INBOX.>')" -ge "$N"
subject_count_of() {  # RESULT SUBJECT: messages of that subject received, on any subscription
    python3 -c 'import json,sys; print(json.loads(sys.argv[1])["by_subject"].get(sys.argv[2], 0))' "$1" "$2"
}
check "7.2: counter-check: a leaf user allowed _INBOX.> receives demo's events (the hub worker's fetches)" \
    test "$(subject_count_of "$legacy" events.demo)" -ge "$N"
check "7.2: counter-check: ... and demo's alerts (the SOC's reads of ALERTS by hub-check)" \
    test "$(subject_count_of "$legacy" alerts.demo)" -ge "$N"
result=$(tail -n 1 "$WORK/listen.out")
echo "  other's listener: $result"
check "7.2: the listener saw the end marker (everything routed before it arrived)" \
    has "$WORK/listen.out" '"marker": true'
for subject in ${SUBJECTS//,/ }; do
    check "7.2: other received nothing on $subject" equals "$(count_of "$result" "$subject")" 0
done
check "7.2: other received no message at all" equals \
    "$(python3 -c 'import json,sys; print(sum(json.loads(sys.argv[1])["by_subject"].values()))' "$result")" 0

echo "== item 7.3: other publishes as demo, asks JetStream for demo's alerts"
for subject in alerts.demo events.demo; do
    probe publish --server "$OTHER_LEAF" --subject "$subject" --inbox _INBOX_other \
        --msg-id "other-as-demo-$subject" --timeout 3 > "$WORK/pub.out"
    echo "  $subject: $(cat "$WORK/pub.out")"
    check "7.3: other's $subject not acknowledged" has "$WORK/pub.out" '"acked": false'
done
probe publish --server "$OTHER_LEAF" --subject '$JS.API.STREAM.MSG.GET.ALERTS' \
    --payload '{"seq":1}' --inbox _INBOX_other --timeout 3 > "$WORK/get.out"
echo "  \$JS.API.STREAM.MSG.GET.ALERTS: $(cat "$WORK/get.out")"
# Other's own leaf node answers "no responders" (503): the hub gave it no interest there.
check "7.3: the hub's JetStream API does not answer other" python3 -c \
    'import json,sys; a=json.load(open(sys.argv[1]))["answer"]; sys.exit(a not in ("", "NATS/1.0 503"))' \
    "$WORK/get.out"
probe publish --server "$OTHER_LEAF" --subject alerts.other --inbox _INBOX_other \
    --msg-id other-own --timeout 10 > "$WORK/own.out"
echo "  alerts.other: $(cat "$WORK/own.out")"
check "7.3: other's own alerts.other acknowledged" has "$WORK/own.out" '"acked": true'
check "7.3: alerts.demo holds demo's $N alerts only" equals \
    "$("$TOOL" subject-count --url "$HUB_URL" "${SOC[@]}" --stream ALERTS --subject alerts.demo)" "$N"
check "7.3: events.demo holds demo's $N events only" equals \
    "$("$TOOL" subject-count --url "$HUB_URL" "${SOC[@]}" --stream EVENTS --subject events.demo)" "$N"

stop_agency_vigie
check "demo's vigie exits 0 after SIGTERM" equals "$STATUS" 0
stop_worker "$WORKER"
checks_result
