#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Hardening item 13: `vigie config check` said "valid" for configurations `vigie serve` then
# refused. Each bad configuration here is run through the real `vigie config check` (exit 1,
# the problem at FILE:LINE:COL naming its key) and the real `vigie serve` (refuses to start,
# with the same message); then the warnings: sample tokens, an admin token equal to an
# agency's, a listener off loopback without TLS. Also item 1 for the configuration: a file
# nested deeper than the limit, and an alias bomb, are refused at their place.
# Usage: item13_config_check.sh VIGIE SOURCE_DIR
set -u
vigie=$1
source_dir=$2
. "$source_dir/tests/serve/serve_lib.sh"

copy_windows_rules
printf 'not a certificate\n' > "$work/garbage.pem"
unset VIGIE_TEST_UNSET_SECRET
# base EXTRA_YAML...: a valid configuration on free loopback ports, plus the lines given.
base() {
  cat <<YML
http:
  listen: 127.0.0.1:0
metrics:
  listen: 127.0.0.1:0
rules:
  paths: [$work/rules]
  cache_dir: $work/cache
spool: {directory: $work/spool}
agencies:
  - id: demo
    token_sha256: $(digest "agency-token-$RANDOM$RANDOM")
YML
  printf '%s\n' "$@"
}

# refused NAME EXPECTED: config check exits 1 with EXPECTED (FILE:LINE:COL: key: message)
# on stderr, and vigie serve refuses to start with the same text in its log.
refused() {
  local name=$1 expected=$2 file="$work/$1.yaml"
  "$vigie" config check "$file" > "$work/$name.check.out" 2> "$work/$name.check.err"
  local status=$?
  check "$name: config check exits 1" equals "$status" 1
  check "$name: config check names the place and key" has "$work/$name.check.err" "$expected"
  check "$name: config check does not say valid" bash -c "! grep -q ': valid' '$work/$name.check.out'"
  timeout 60 "$vigie" serve --config "$file" > /dev/null 2> "$work/$name.serve.err"
  status=$?
  # 2: the file itself is refused (serve_config), 1: a start-up check; never a crash (>128)
  # or the timeout (124).
  check "$name: serve refuses to start (exit 1 or 2, got $status)" test "$status" -eq 1 -o "$status" -eq 2
  check "$name: serve gives the same message" has "$work/$name.serve.err" "$expected"
  check "$name: serve never served" bash -c "! grep -q '\"msg\":\"serving\"' '$work/$name.serve.err'"
}

base > "$work/bad_ip.yaml"
sed -i '0,/listen: 127.0.0.1:0$/s||listen: 999.1.1.1:8080|' "$work/bad_ip.yaml"
refused bad_ip "bad_ip.yaml:2:11: http.listen: '999.1.1.1' is not an IP address"

base > "$work/no_rules.yaml"
sed -i "s|paths: \[$work/rules\]|paths: [$work/no-such-rules]|" "$work/no_rules.yaml"
refused no_rules "no_rules.yaml:6:3: rules.paths: $work/no-such-rules does not exist"

base > "$work/no_mapping.yaml"
sed -i "s|^rules:$|rules:\n  mapping: $work/no-such-mapping.yml|" "$work/no_mapping.yaml"
refused no_mapping "no_mapping.yaml:6:3: rules.mapping: no such mapping file, and no built-in mapping of that name"

base > "$work/tls_missing.yaml"
sed -i "0,/^  listen: 127.0.0.1:0$/s||  listen: 127.0.0.1:0\n  tls: {enabled: true, certificate: $work/no-cert.pem, private_key: $work/no-key.pem}|" "$work/tls_missing.yaml"
refused tls_missing "tls_missing.yaml:3:24: http.tls.certificate: cannot read $work/no-cert.pem: No such file or directory"

base > "$work/tls_garbage.yaml"
sed -i "0,/^  listen: 127.0.0.1:0$/s||  listen: 127.0.0.1:0\n  tls: {enabled: true, certificate: $work/garbage.pem, private_key: $work/garbage.pem}|" "$work/tls_garbage.yaml"
refused tls_garbage "tls_garbage.yaml:3:24: http.tls.certificate: cannot load a PEM certificate chain from $work/garbage.pem"

base 'alerts:' '  outputs:' '    - {name: siem, type: webhook, url: "http://127.0.0.1:9/h", secret_env: VIGIE_TEST_UNSET_SECRET}' \
  > "$work/secret_unset.yaml"
refused secret_unset "secret_unset.yaml:14:64: alerts.outputs[0].secret_env: the environment variable VIGIE_TEST_UNSET_SECRET is not set or empty"

base 'alerts:' '  outputs:' '    - {name: siem, type: webhook, url: "ftp://127.0.0.1/h"}' > "$work/ftp_webhook.yaml"
refused ftp_webhook "ftp_webhook.yaml:14:35: alerts.outputs[0].url: a webhook url must be http:// or https://, not ftp://127.0.0.1/h"

# Item 1 for the configuration: nesting past limits.max_nesting_depth (64), and an alias
# bomb (10 levels of 10 aliases: 10^10 nodes once expanded, 2 KB of text).
{ base; printf 'log: '; printf '[%.0s' $(seq 1 100); printf ']%.0s' $(seq 1 100); echo; } > "$work/deep.yaml"
refused deep "deep.yaml:13:"
check "deep: the reason is the nesting, in the shared wording" has "$work/deep.check.err" "the configuration is nested deeper than 64 levels"
python3 - "$work/bomb.yaml" "$(base)" <<'PY'
import sys
lines = [sys.argv[2], "x0: &a0 [" + ", ".join(["v"] * 10) + "]"]
for i in range(1, 10):
    lines.append("x%d: &a%d [%s]" % (i, i, ", ".join(["*a%d" % (i - 1)] * 10)))
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY
refused bomb "bomb.yaml:"
check "bomb: refused for what it expands to" has "$work/bomb.check.err" "the configuration expands to more than 100000 YAML nodes once its aliases are resolved"
# 3000 levels (past yaml-cpp's own bound of 2000): stopped at the limit by the walk over the
# parser's events, before yaml-cpp recurses that deep. (The file's own limits section does
# not apply to reading the file itself.)
{ base 'limits: {max_nesting_depth: 1000}'; printf 'log: '; printf '[%.0s' $(seq 1 3000); printf ']%.0s' $(seq 1 3000); echo; } > "$work/deeper.yaml"
"$vigie" config check "$work/deeper.yaml" > /dev/null 2> "$work/deeper.err"
check "3000 levels: refused" test $? -eq 1
check "3000 levels: located, the shared wording" grep -qE "deeper.yaml:[0-9]+:[0-9]+: the configuration is nested deeper than 64 levels" "$work/deeper.err"

# --- warnings: the configuration is valid, the risks are said at their place.
sample_agency=b5d56f2eacf505c2639b22468f3a8b1bcaf7d619cadbab47dc6ce515fc4c3612
cat > "$work/risky.yaml" <<YML
http:
  listen: 0.0.0.0:0
metrics:
  listen: 127.0.0.1:0
rules:
  paths: [$work/rules]
  cache_dir: $work/cache
agencies:
  - id: demo
    token_sha256: $sample_agency
  - id: other
    token_sha256: $(digest other-agency-token)
admin:
  token_sha256: $(digest other-agency-token)
YML
"$vigie" config check "$work/risky.yaml" > "$work/risky.out" 2> "$work/risky.err"
check "warnings: still valid (exit 0)" test $? -eq 0
check "warnings: counted in the summary" has "$work/risky.out" "; 3 warnings"
check "warning: the sample token" has "$work/risky.err" "risky.yaml:10:5: warning: agencies[0].token_sha256: agency demo uses a sample token (from samples/, public): replace it"
check "warning: admin token = an agency's" has "$work/risky.err" "risky.yaml:14:3: warning: admin.token_sha256: the admin token is agency other's token"
check "warning: off loopback without TLS" has "$work/risky.err" "risky.yaml:2:3: warning: http.listen: 0.0.0.0:0 is reachable from other machines without TLS"
# The same warnings in serve's log (on loopback here: the test never listens off it).
sed -i 's|listen: 0.0.0.0:0|listen: 127.0.0.1:0|' "$work/risky.yaml"
start_serve R "$work/risky.yaml" || exit 1
check "serve logs the sample-token warning" has "$work/R.log" "risky.yaml:10:5: warning: agencies[0].token_sha256: agency demo uses a sample token"
check "serve logs the admin-token warning" has "$work/R.log" "risky.yaml:14:3: warning: admin.token_sha256: the admin token is agency other's token"
stop_serve R
check "serve stops cleanly" equals "$STATUS" 0

# --- limits: read at start-up and applied before any thread: events nested past
# limits.max_nesting_depth are rejected with the configured bound in the shared wording.
base 'limits: {max_nesting_depth: 8}' 'admin:' "  token_sha256: $(digest admin-token)" > "$work/limits.yaml"
sed -i "0,/token_sha256: .*/s||token_sha256: $(digest limits-token)|" "$work/limits.yaml"
start_serve L "$work/limits.yaml" || exit 1
{ printf '{"a":'; printf '[%.0s' $(seq 1 10); printf ']%.0s' $(seq 1 10); printf '}\n{"b":[[1]]}\n'; } > "$work/nested.ndjson"
check "limits: the request is answered" equals "$(post "$HTTP_L" limits-token "$work/nested.ndjson" --max-time 30)" 200
check "limits: the shallow event is accepted" equals "$(json_number "$work/body" accepted)" 1
check "limits: the deep one is rejected with the configured bound" has "$work/body" "nested deeper than 8 levels"
# A reload cannot change them (every thread reads them without a lock): said, not ignored.
sed -i 's|max_nesting_depth: 8|max_nesting_depth: 32|' "$work/limits.yaml"
check "limits: reload answered" equals "$(curl -s -o /dev/null -w '%{http_code}' -X POST \
  -H 'Authorization: Bearer admin-token' "http://127.0.0.1:$HTTP_L/v1/admin/reload")" 200
# (The wording of issue 19 item 7's reload, naming each setting that needs a restart, or
# the earlier one.)
limits_need_restart() {
  grep -q '"restart_required":"[^"]*limits.max_nesting_depth' "$work/L.log" ||
    grep -qF "limits: changed in the configuration file; they apply at the next start" "$work/L.log"
}
check "limits: the reload says they apply at the next start" limits_need_restart
check "limits: still the start-up bound" equals "$(post "$HTTP_L" limits-token "$work/nested.ndjson" --max-time 30)" 200
check "limits: still rejected at 8" has "$work/body" "nested deeper than 8 levels"
stop_serve L
check "limits: serve stops cleanly" equals "$STATUS" 0

echo "$pass passed, $failures failed"
[ $failures -eq 0 ]
