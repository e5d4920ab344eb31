# SPDX-License-Identifier: EUPL-1.2
# Shared by the vigie serve tests: start a vigie serve process on free loopback ports
# (port 0; the ports are read back from its "serving" log line), send it requests with
# curl, stop it. Source it after setting $vigie; it makes $work, removed at exit with
# every process the test left running.
work=$(mktemp -d)
trap 'kill -KILL $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
. "$(dirname "${BASH_SOURCE[0]}")/../support/check_lib.sh"
digest() { printf %s "$1" | sha256sum | cut -d' ' -f1; }

# start_serve NAME CONFIG [OPTION...]: runs vigie serve in the background on free loopback
# ports; sets PID_<NAME>, HTTP_<NAME> and METRICS_<NAME>; its stderr (logs) goes to
# $work/NAME.log. Returns 1, having said why and printed the log, when it did not start.
start_serve() {
  local name=$1 config=$2
  shift 2
  start_vigie_serve "$work/$name.log" "$vigie" --config "$config" --http-listen 127.0.0.1:0 \
    --metrics-listen 127.0.0.1:0 "$@" || return 1
  printf -v "PID_$name" '%s' "$SERVE_PID"
  printf -v "HTTP_$name" '%s' "$SERVE_HTTP"
  printf -v "METRICS_$name" '%s' "$SERVE_METRICS"
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
