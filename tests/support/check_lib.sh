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
