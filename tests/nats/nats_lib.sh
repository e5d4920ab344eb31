# SPDX-License-Identifier: EUPL-1.2
# Shared by the NATS shell tests and bench/serve_nats_load.sh (sourced, not run): a real
# nats-server on a free loopback port, `vigie serve` workers with generated
# configurations, and clean-up of everything started here (by process id).
# Needs: VIGIE, TOOL, WORK (a temporary directory), SOURCE (the repository).

PIDS=()
# free_port, wait_until, log_has, check and the vigie serve launcher (launch_vigie_serve,
# start_vigie_serve).
. "$(dirname "${BASH_SOURCE[0]}")/../support/check_lib.sh"

# test_setup: a test skips (exit 77) without nats-server, works in $WORK, cleans up at exit.
test_setup() {
    if ! command -v nats-server > /dev/null; then
        echo "SKIP: nats-server is not installed (apt-get install nats-server)"
        exit 77
    fi
    WORK=$(mktemp -d)
    trap cleanup EXIT
}

# On failure (any exit status but 0 and 77), the logs of every process the test started
# (nats-server nodes, vigie workers: every *.log and *.out under $WORK) are printed before
# $WORK goes, so that a failure in CI can be read back. KEEP_WORK=1 keeps $WORK as well.
cleanup() {
    local status=$?
    for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ "$status" -ne 0 ] && [ "$status" -ne 77 ]; then print_logs "$status"; fi
    if [ -n "${KEEP_WORK:-}" ]; then echo "work kept: $WORK"; else rm -rf "$WORK"; fi
}

# print_logs STATUS: the last LOG_LINES (default 200) lines of each process log under $WORK.
print_logs() {
    local file
    echo "== test failed (exit status $1): the logs of the processes it started"
    while IFS= read -r file; do
        [ -s "$file" ] || continue
        echo "---- ${file#"$WORK"/} (last ${LOG_LINES:-200} lines)"
        tail -n "${LOG_LINES:-200}" "$file"
    done < <(find "$WORK" -type f \( -name '*.log' -o -name '*.out' \) | sort)
    echo "---- end of logs"
}

wait_port() {  # port [seconds]
    local tries=$(( ${2:-10} * 20 ))
    while ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
        tries=$((tries - 1))
        if [ "$tries" -le 0 ]; then return 1; fi
        sleep 0.05  # poll interval of a bounded wait on the condition checked above, not a synchronisation
    done
}

# start_nats [config file]: sets NATS_PORT, NATS_URL and NATS_PID.
start_nats() {
    NATS_PORT=$(free_port)
    NATS_URL="nats://127.0.0.1:$NATS_PORT"
    mkdir -p "$WORK/nats-store"
    if [ -n "${1:-}" ]; then
        sed -e "s|/var/lib/nats|$WORK/nats-store|" -e "s|127.0.0.1:4222|127.0.0.1:$NATS_PORT|" \
            "$1" > "$WORK/nats-server.conf"
        nats-server -c "$WORK/nats-server.conf" > "$WORK/nats-server.log" 2>&1 &
    else
        nats-server -js -a 127.0.0.1 -p "$NATS_PORT" -sd "$WORK/nats-store" \
            > "$WORK/nats-server.log" 2>&1 &
    fi
    NATS_PID=$!
    PIDS+=("$NATS_PID")
    wait_port "$NATS_PORT" 10 || { cat "$WORK/nats-server.log"; echo "FAIL: nats-server did not start"; exit 1; }
}

# write_config NAME [url]: $WORK/NAME.yaml, alerts to $WORK/NAME.alerts, the numbered-event
# rule, HTTP and metrics on free loopback ports.
write_config() {
    local name=$1 url=${2:-$NATS_URL}
    cat > "$WORK/$name.yaml" <<YAML
http:
  listen: 127.0.0.1:$(free_port)
metrics:
  listen: 127.0.0.1:$(free_port)
rules:
  paths: [$SOURCE/tests/nats/rules]
  mapping: flat
  cache_dir: $WORK/cache
engine:
  threads: ${WORKER_THREADS:-1}
alerts:
  output: $WORK/$name.alerts
nats:
  enabled: true
  url: $url
  ack_wait_seconds: ${ACK_WAIT:-2}
  fetch_batch: ${FETCH_BATCH:-256}
agencies:
  - id: demo
    token_sha256: b5d56f2eacf505c2639b22468f3a8b1bcaf7d619cadbab47dc6ce515fc4c3612
log:
  level: ${LOG_LEVEL:-warning}
YAML
}

# start_worker NAME: sets LAST_PID; waits until its NATS input is up (the stream exists).
start_worker() {
    local name=$1
    launch_vigie_serve "$WORK/$name.log" "$VIGIE" --config "$WORK/$name.yaml" > "$WORK/$name.out"
    LAST_PID=$SERVE_PID
    for _ in $(seq 100); do
        if "$TOOL" consumer-info --url "$NATS_URL" > /dev/null 2>&1; then return 0; fi
        if ! kill -0 "$LAST_PID" 2>/dev/null; then break; fi
        sleep 0.1  # poll interval of a bounded wait on the condition checked above, not a synchronisation
    done
    cat "$WORK/$name.log"
    echo "FAIL: worker $name did not start"
    exit 1
}

# A hub for alerts of the test's own (a JetStream nats-server), on one port and one store
# for the whole test, so that it can be killed (-9) and started again on them: hub_port
# sets HUB_PORT and HUB_URL; start_hub (HUB_PID; its log appended to $WORK/hub.log) and
# stop_hub. leaf_lib.sh's start_hub (the hub of samples/nats/) replaces this one.
hub_port() {
    HUB_PORT=$(free_port)
    HUB_URL="nats://127.0.0.1:$HUB_PORT"
}
start_hub() {
    nats-server -js -a 127.0.0.1 -p "$HUB_PORT" -sd "$WORK/hub-store" >> "$WORK/hub.log" 2>&1 &
    HUB_PID=$!
    PIDS+=("$HUB_PID")
    wait_port "$HUB_PORT" 10 || { cat "$WORK/hub.log"; echo "FAIL: the hub did not start"; exit 1; }
}
stop_hub() { kill -9 "$HUB_PID" 2> /dev/null; wait "$HUB_PID" 2> /dev/null; }

# one_worker_takes FILE: a nats-server, one worker (w: write_config's, W its pid), FILE's
# lines published raw as agency demo, and every message handled (the consumer drained).
one_worker_takes() {
    start_nats
    write_config w
    start_worker w; W=$LAST_PID
    "$TOOL" publish --url "$NATS_URL" --file "$1" --raw --sync --agency demo ||
        { echo "FAIL: publish"; exit 1; }
    "$TOOL" wait-drained --url "$NATS_URL" --timeout 60 ||
        { echo "FAIL: not drained"; tail "$WORK/w.log"; exit 1; }
}

stop_nats() {  # kill -9 and a fresh store for the next start_nats
    kill -9 "$NATS_PID" 2> /dev/null || true
    wait "$NATS_PID" 2> /dev/null || true
    rm -rf "$WORK/nats-store"
}

# exit_reason STATUS: "exit status N" or "signal NAME" (wait gives 128 + the signal).
exit_reason() {
    if [ "$1" -gt 128 ]; then echo "signal $(kill -l "$(($1 - 128))" 2> /dev/null || echo "$(($1 - 128))")"
    else echo "exit status $1"; fi
}

# stop_worker PID: SIGTERM, then it must exit 0 after draining. A worker that had already
# exited on its own is a failure too, said with its exit status or signal (wait gives it).
stop_worker() {
    local rc=0
    if ! kill -0 "$1" 2> /dev/null; then
        wait "$1" || rc=$?
        echo "FAIL: worker $1 had already exited ($(exit_reason "$rc")) before SIGTERM"
        exit 1
    fi
    kill -TERM "$1" 2> /dev/null || true  # it may exit between the check and the signal
    wait "$1" || rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "FAIL: worker $1 exited after SIGTERM with $(exit_reason "$rc")"
        exit 1
    fi
}

# count_above N COMMAND...: COMMAND prints a count above N (nothing while what it asks cannot
# answer yet: not above). For wait_until.
count_above() {
    local n
    n=$("${@:2}") || true
    [ -n "$n" ] && [ "$n" -gt "$1" ]
}

json_field() {  # json key
    printf '%s' "$1" | sed -n "s/.*\"$2\":\([0-9.]*\).*/\1/p"
}
