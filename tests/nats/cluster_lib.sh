# SPDX-License-Identifier: EUPL-1.2
# A JetStream cluster of real nats-server processes on loopback, for the NATS shell tests
# (sourced after nats_lib.sh, which gives free_port, wait_port, PIDS and the clean-up).
# Needs: WORK (test_setup), python3 and curl (the monitoring endpoint is read for the
# stream's leader and settings).
#
#   start_cluster N            N nodes n1..nN (server_name n<i>, cluster "vigie"), each on
#                              free loopback client/route/monitoring ports with its own store
#                              $WORK/cluster/n<i>/store and config $WORK/cluster/n<i>.conf;
#                              returns once every node answers and a JetStream meta leader
#                              is elected. Sets CLUSTER_SIZE, CLUSTER_URLS (comma list of
#                              every node's URL, in node order), NODE_PORT[i], NODE_HTTP[i],
#                              NODE_ROUTE[i], NODE_PID[i], NODE_URL[i] (i from 1).
#   write_cluster_configs N    only writes the N configurations and sets the variables
#                              above, starting nothing (to start nodes one by one, e.g. a
#                              worker started while a node is down).
#   start_node i               starts node i (its config and store kept): NODE_PID[i].
#   kill_node i                kill -9 of node i, waits for it to exit; its store is kept.
#   stop_node i                SIGTERM (clean shutdown) of node i, waits for it to exit.
#   restart_node i             start_node i, then waits until it answers and is part of
#                              JetStream again (meta leader known to it).
#   node_running i             true while node i's process is alive.
#   wait_cluster_ready [s]     every running node knows a JetStream meta leader (default 30 s).
#   stream_json STREAM [i]     the stream's JSON as /jsz of node i (default: the first
#                              running node holding a replica of it) reports it: {"name", "config", "state",
#                              "cluster": {"leader", "replicas"}}; empty when unknown there.
#   stream_field STREAM PATH   one field of stream_json, a dotted path, e.g.
#                              config.num_replicas, config.max_age (ns), state.messages,
#                              cluster.leader (a server name, n<i>).
#   stream_leader STREAM       the node index (i) of the stream's leader; empty when none
#                              (or when the leader named is a node that is down).
#   wait_stream_leader STREAM [s]  until the stream has a leader; prints its index.
#   node_of_name NAME          n<i> -> i.

CLUSTER_SIZE=0
CLUSTER_URLS=""
NODE_PORT=() NODE_HTTP=() NODE_ROUTE=() NODE_PID=() NODE_URL=()

write_cluster_configs() {  # N
    CLUSTER_SIZE=$1
    local i j routes
    for i in $(seq "$CLUSTER_SIZE"); do
        NODE_PORT[i]=$(free_port) NODE_HTTP[i]=$(free_port) NODE_ROUTE[i]=$(free_port)
        NODE_URL[i]="nats://127.0.0.1:${NODE_PORT[i]}"
        NODE_PID[i]=""
    done
    CLUSTER_URLS=""
    for i in $(seq "$CLUSTER_SIZE"); do
        CLUSTER_URLS="${CLUSTER_URLS:+$CLUSTER_URLS,}${NODE_URL[i]}"
    done
    mkdir -p "$WORK/cluster"
    for i in $(seq "$CLUSTER_SIZE"); do
        mkdir -p "$WORK/cluster/n$i/store"
        routes=""
        for j in $(seq "$CLUSTER_SIZE"); do
            [ "$j" = "$i" ] && continue
            routes="$routes    nats-route://127.0.0.1:${NODE_ROUTE[j]}
"
        done
        cat > "$WORK/cluster/n$i.conf" <<CONF
server_name: n$i
listen: 127.0.0.1:${NODE_PORT[i]}
http: 127.0.0.1:${NODE_HTTP[i]}
jetstream {
  store_dir: "$WORK/cluster/n$i/store"
  max_memory_store: 64MB
  max_file_store: 1GB
}
cluster {
  name: vigie
  listen: 127.0.0.1:${NODE_ROUTE[i]}
  routes: [
$routes  ]
}
CONF
    done
}

start_node() {  # i
    local i=$1
    nats-server -c "$WORK/cluster/n$i.conf" >> "$WORK/cluster/n$i.log" 2>&1 &
    NODE_PID[i]=$!
    PIDS+=("${NODE_PID[i]}")
    wait_port "${NODE_PORT[i]}" 10 ||
        { tail -n 20 "$WORK/cluster/n$i.log"; echo "FAIL: nats-server n$i did not start"; exit 1; }
}

start_cluster() {  # N
    write_cluster_configs "$1"
    local i
    for i in $(seq "$CLUSTER_SIZE"); do start_node "$i"; done
    wait_cluster_ready 30
}

node_running() {  # i
    [ -n "${NODE_PID[$1]:-}" ] && kill -0 "${NODE_PID[$1]}" 2> /dev/null
}

kill_node() {  # i
    local i=$1
    kill -9 "${NODE_PID[i]}" 2> /dev/null || true
    wait "${NODE_PID[i]}" 2> /dev/null || true
    NODE_PID[i]=""
}

stop_node() {  # i
    local i=$1
    kill -TERM "${NODE_PID[i]}" 2> /dev/null || true
    wait "${NODE_PID[i]}" 2> /dev/null || true
    NODE_PID[i]=""
}

restart_node() {  # i
    start_node "$1"
    _wait_meta_leader "$1" 30 || { echo "FAIL: node n$1 did not rejoin JetStream"; exit 1; }
}

# The meta leader as node i's /jsz reports it (empty: none yet).
_meta_leader() {  # i
    curl -fs --max-time 2 "http://127.0.0.1:${NODE_HTTP[$1]}/jsz" 2> /dev/null |
        python3 -c 'import json,sys
try: print((json.load(sys.stdin).get("meta_cluster") or {}).get("leader") or "")
except Exception: print("")'
}

_wait_meta_leader() {  # i seconds
    local tries=$(( $2 * 10 ))
    while [ -z "$(_meta_leader "$1")" ]; do
        tries=$((tries - 1))
        [ "$tries" -le 0 ] && return 1
        sleep 0.1  # poll interval of a bounded wait on the condition checked above, not a synchronisation
    done
}

wait_cluster_ready() {  # [seconds]
    local i
    for i in $(seq "$CLUSTER_SIZE"); do
        node_running "$i" || continue
        _wait_meta_leader "$i" "${1:-30}" ||
            { tail -n 20 "$WORK/cluster/n$i.log"; echo "FAIL: no JetStream meta leader on n$i"; exit 1; }
    done
}

_first_running_node() {
    local i
    for i in $(seq "$CLUSTER_SIZE"); do
        if node_running "$i"; then echo "$i"; return 0; fi
    done
    return 1
}

stream_json() {  # STREAM [i]
    local node out
    for node in ${2:-$(seq "$CLUSTER_SIZE")}; do
        node_running "$node" || continue
        out=$(_stream_json_of "$1" "$node")
        if [ -n "$out" ]; then echo "$out"; return 0; fi
    done
}

# /jsz lists only the streams a node holds a replica of.
_stream_json_of() {  # STREAM i
    curl -fs --max-time 2 \
        "http://127.0.0.1:${NODE_HTTP[$2]}/jsz?accounts=true&streams=true&config=true" \
        2> /dev/null | python3 -c 'import json,sys
name = sys.argv[1]
try: data = json.load(sys.stdin)
except Exception: sys.exit(0)
for account in data.get("account_details") or []:
    for stream in account.get("stream_detail") or []:
        if stream.get("name") == name:
            print(json.dumps(stream)); sys.exit(0)' "$1"
}

stream_field() {  # STREAM PATH
    stream_json "$1" | python3 -c 'import json,sys
text = sys.stdin.read()
if not text.strip(): sys.exit(0)
value = json.loads(text)
for key in sys.argv[1].split("."):
    value = value.get(key) if isinstance(value, dict) else None
print("" if value is None else value)' "$2"
}

node_of_name() {  # n<i>
    echo "${1#n}"
}

stream_leader() {  # STREAM (a leader whose node is down, as a node may still say: none)
    local name
    name=$(stream_field "$1" cluster.leader)
    if [ -n "$name" ] && node_running "$(node_of_name "$name")"; then node_of_name "$name"; fi
    return 0
}

wait_stream_leader() {  # STREAM [seconds]
    local tries=$(( ${2:-30} * 10 )) leader
    while :; do
        leader=$(stream_leader "$1")
        [ -n "$leader" ] && { echo "$leader"; return 0; }
        tries=$((tries - 1))
        [ "$tries" -le 0 ] && return 1
        sleep 0.1  # poll interval of a bounded wait on the condition checked above, not a synchronisation
    done
}

# Appended by the failover test (helper "cluster"):
#   stream_replicas_current STREAM  true when the stream's leader (a running node) lists
#                              CLUSTER_SIZE - 1 replicas, each current and not offline.
#   wait_stream_current STREAM [s]  until stream_replicas_current (default 60 s).
#   wait_new_leader STREAM OLD [s]  until a running node reports a leader other than node
#                              OLD; prints its index.
stream_replicas_current() {  # STREAM
    local leader
    leader=$(stream_leader "$1")
    [ -n "$leader" ] && node_running "$leader" || return 1
    _stream_json_of "$1" "$leader" | python3 -c 'import json,sys
text = sys.stdin.read()
if not text.strip(): sys.exit(1)
replicas = (json.loads(text).get("cluster") or {}).get("replicas") or []
ok = len(replicas) == int(sys.argv[1]) - 1 and all(
    r.get("current") and not r.get("offline") for r in replicas)
sys.exit(0 if ok else 1)' "$CLUSTER_SIZE"
}

wait_stream_current() {  # STREAM [seconds]
    local tries=$(( ${2:-60} * 5 ))
    until stream_replicas_current "$1"; do
        tries=$((tries - 1))
        [ "$tries" -le 0 ] && return 1
        sleep 0.2  # poll interval of a bounded wait on the condition checked above, not a synchronisation
    done
}

wait_new_leader() {  # STREAM OLD [seconds]
    local tries=$(( ${3:-30} * 10 )) leader
    while :; do
        leader=$(stream_leader "$1")
        if [ -n "$leader" ] && [ "$leader" != "$2" ] && node_running "$leader"; then
            echo "$leader"; return 0
        fi
        tries=$((tries - 1))
        [ "$tries" -le 0 ] && return 1
        sleep 0.1  # poll interval of a bounded wait on the condition checked above, not a synchronisation
    done
}

#   consumer_leader STREAM CONSUMER  the node index of the consumer's leader as the running
#                              nodes report it (a node down is never named); empty: none.
consumer_leader() {  # STREAM CONSUMER
    local i name
    for i in $(seq "$CLUSTER_SIZE"); do
        node_running "$i" || continue
        name=$(curl -fs --max-time 2 \
            "http://127.0.0.1:${NODE_HTTP[$i]}/jsz?accounts=true&streams=true&consumers=true" \
            2> /dev/null | python3 -c 'import json,sys
stream, consumer = sys.argv[1], sys.argv[2]
try: data = json.load(sys.stdin)
except Exception: sys.exit(0)
for account in data.get("account_details") or []:
    for s in account.get("stream_detail") or []:
        for c in (s.get("consumer_detail") or []) if s.get("name") == stream else []:
            if c.get("name") == consumer:
                print((c.get("cluster") or {}).get("leader") or ""); sys.exit(0)' "$1" "$2")
        if [ -n "$name" ] && node_running "$(node_of_name "$name")"; then
            node_of_name "$name"; return 0
        fi
    done
}

# start_load PUBLISH_ARGS...: `$TOOL publish` in the background at the cluster, until
# end_load; its JSON line to $WORK/publish.json, its stderr to $WORK/publish.err; sets PUB.
# The load lasts as long as the test's rounds take, never a fixed time that a slow machine
# could outlast (a loaded run once found its publisher finished before its last kill).
start_load() {
    rm -f "$WORK/stop-publishing"
    "$TOOL" publish --url "$CLUSTER_URLS" --duration 600 --stop-file "$WORK/stop-publishing" \
        "$@" > "$WORK/publish.json" 2> "$WORK/publish.err" &
    PUB=$! LOAD_STARTED=$SECONDS
    PIDS+=("$PUB")  # a test that fails before end_load must not leave it publishing
}

# end_load MIN_SECONDS: stops the load once it has lasted MIN_SECONDS, waits for the
# publisher and sets PUB_RC (0: every message acknowledged).
end_load() {
    local left=$(($1 - (SECONDS - LOAD_STARTED)))
    [ "$left" -le 0 ] || sleep "$left"  # load length (the rest of MIN_SECONDS), not a synchronisation
    touch "$WORK/stop-publishing"
    PUB_RC=0; wait "$PUB" || PUB_RC=$?
}
