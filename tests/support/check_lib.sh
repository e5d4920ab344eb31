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
