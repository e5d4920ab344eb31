# SPDX-License-Identifier: EUPL-1.2
# Shared by the vigie serve tests: start a vigie serve process on free loopback ports
# (port 0; the ports are read back from its "serving" log line), send it requests with
# curl, stop it. Source it after setting $vigie; it makes $work, removed at exit with
# every process the test left running.
work=$(mktemp -d)
trap 'kill -KILL $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
. "$(dirname "${BASH_SOURCE[0]}")/../support/check_lib.sh"
digest() { printf %s "$1" | sha256sum | cut -d' ' -f1; }

# serving_or_gone PID LOG: vigie serve logged "serving", or exited (start_serve waits for either).
serving_or_gone() { log_has "$2" '"msg":"serving"' || ! kill -0 "$1" 2>/dev/null; }

# start_serve NAME CONFIG [OPTION...]: runs vigie serve in the background; sets PID_<NAME>,
# HTTP_<NAME> and METRICS_<NAME>; its stderr (logs) goes to $work/NAME.log.
start_serve() {
  local name=$1 config=$2
  shift 2
  # Emptied here, not only by the child's redirection: the background child truncates the
  # file when it gets to run, and a restart under load (the same NAME) found the previous
  # run's "serving" line, then an empty log, and said "did not start".
  : > "$work/$name.log"
  "$vigie" serve --config "$config" --http-listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0 "$@" \
    2> "$work/$name.log" &
  local pid=$! line=""
  wait_until 60 serving_or_gone "$pid" "$work/$name.log"
  line=$(grep -m1 '"msg":"serving"' "$work/$name.log" 2>/dev/null || true)
  if [ -z "$line" ]; then
    echo "vigie serve ($name) did not start:"; cat "$work/$name.log"; return 1
  fi
  printf -v "PID_$name" '%s' "$pid"
  printf -v "HTTP_$name" '%s' "$(sed -E 's/.*"http":"[^"]*:([0-9]+)".*/\1/' <<<"$line")"
  printf -v "METRICS_$name" '%s' "$(sed -E 's/.*"metrics":"[^"]*:([0-9]+)".*/\1/' <<<"$line")"
}

# stop_serve NAME: SIGTERM, then the exit status (0 expected) in STATUS.
stop_serve() {
  local pid_var="PID_$1"
  kill -TERM "${!pid_var}"
  wait "${!pid_var}"
  STATUS=$?
}

# post PORT TOKEN FILE [curl options...]: the status code on stdout, the body in $work/body,
# the headers in $work/headers.
post() {
  local port=$1 token=$2 file=$3; shift 3
  curl -s -o "$work/body" -D "$work/headers" -w '%{http_code}' -X POST \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/x-ndjson' \
    --data-binary "@$file" "$@" "http://127.0.0.1:$port/v1/events"
}

# json_number FILE KEY: the number after "KEY": in FILE.
json_number() { sed -nE "s/.*\"$2\":([0-9]+).*/\1/p" "$1" | head -1; }
