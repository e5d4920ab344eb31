# SPDX-License-Identifier: EUPL-1.2
# Shared by the shell tests (sourced): counted checks, so that a test reports every
# failing check, not only the first, and exits non-zero when any failed.
failures=0
pass=0
check() {  # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then pass=$((pass + 1)); else echo "FAIL: $what"; failures=$((failures + 1)); fi
}
has() { grep -qF -- "$2" "$1"; }
equals() { [ "$1" = "$2" ] || { echo "  expected [$2], got [$1]"; return 1; }; }

# wait_until SECONDS COMMAND...: polls COMMAND every 50 ms until it succeeds; returns 1 when
# SECONDS pass first. The one way shell tests wait for something (a log line, a metric, a
# file): a fixed sleep is either too short on a loaded machine or wastes time on an idle one.
# The poll interval is not synchronisation: the condition is.
wait_until() {
  local deadline=$((SECONDS + $1 + 1)); shift  # +1: SECONDS counts whole seconds
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.05  # poll interval of this loop, not a wait for an event
  done
}

# log_has FILE TEXT: for wait_until; FILE may not exist yet.
log_has() { [ -f "$1" ] && grep -qF -- "$2" "$1"; }

# validate_ocsf FILE... [--min N]: every line of each FILE is an OCSF 1.1 Detection Finding
# valid against the official OCSF schema definitions (tests/alerts/ocsf_validate.py reads
# $OCSF_SCHEMA_DIR, else ../shared/specs/ocsf-1.1.0 beside the repository); prints each
# problem (file:line: attribute path: what). When the definitions are absent it says so,
# sets ocsf_unchecked=1 (a test whose subject is OCSF then exits 77) and returns 0.
ocsf_unchecked=
validate_ocsf() {
  local out status
  out=$(python3 "$(dirname "${BASH_SOURCE[0]}")/../alerts/ocsf_validate.py" "$@")
  status=$?
  if [ "$status" -eq 77 ]; then echo "$out"; ocsf_unchecked=1; return 0; fi
  [ "$status" -eq 0 ] || { echo "$out" | tail -n 40; return 1; }
  echo "$out" | tail -n 1
}

# free_port: a free loopback port for a test server (tests/support/free_port.py says why
# not bind(0)'s).
free_port() { python3 "$(dirname "${BASH_SOURCE[0]}")/free_port.py"; }

# launch_vigie_serve LOG VIGIE [ARG...]: `VIGIE serve ARG...` in the background, its stderr
# (vigie's JSON log) to LOG, its stdout the caller's (redirect the call); sets SERVE_PID and
# adds it to PIDS (the process ids the NATS tests' clean-up kills). The one way shell tests
# start vigie serve. LOG is emptied here, not only by the child's redirection: the child
# truncates it only when it gets to run, so a restart under load with the same LOG found
# the previous run's "serving" line, then an empty log, and said "did not start" (b8d4d16).
launch_vigie_serve() {
  local log=$1 vigie=$2
  shift 2
  : > "$log"
  "$vigie" serve "$@" 2> "$log" &
  SERVE_PID=$!
  PIDS+=("$SERVE_PID")
}

# serving_or_gone PID LOG: vigie serve logged "serving", or exited (no use waiting longer).
serving_or_gone() { log_has "$2" '"msg":"serving"' || ! kill -0 "$1" 2> /dev/null; }

# await_serving PID LOG: waits, 60 s at most, for the "serving" line of vigie serve PID in
# LOG; sets SERVE_HTTP and SERVE_METRICS, the ports that line gives (empty when it gives
# none). Without the line, it says why (the exit status, or still starting) and prints LOG,
# on stderr (the caller's stdout may be vigie's, redirected), and returns 1.
await_serving() {
  local pid=$1 log=$2 line status=0
  wait_until 60 serving_or_gone "$pid" "$log" || true
  line=$(grep -m1 '"msg":"serving"' "$log" 2> /dev/null || true)
  if [ -z "$line" ]; then
    {
      if kill -0 "$pid" 2> /dev/null; then
        echo "FAIL: vigie serve did not start: no \"serving\" line after 60 s; its log ($log):"
      else
        wait "$pid" || status=$?
        echo "FAIL: vigie serve did not start: it exited with status $status; its log ($log):"
      fi
      cat "$log"
    } >&2
    return 1
  fi
  SERVE_HTTP=$(sed -nE 's/.*"http":"[^"]*:([0-9]+)".*/\1/p' <<< "$line")
  SERVE_METRICS=$(sed -nE 's/.*"metrics":"[^"]*:([0-9]+)".*/\1/p' <<< "$line")
}

# start_vigie_serve LOG VIGIE [ARG...]: launch_vigie_serve, then await_serving (SERVE_PID,
# SERVE_HTTP, SERVE_METRICS; 1 when it did not start).
start_vigie_serve() { launch_vigie_serve "$@" && await_serving "$SERVE_PID" "$1"; }
