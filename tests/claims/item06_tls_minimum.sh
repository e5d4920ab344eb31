#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Issue 19 item 6: "TLS 1.2 and later" (README, http.tls). A real vigie serve over TLS and
# the openssl and curl clients: a TLS 1.0 or 1.1 handshake is refused with a protocol
# version alert, TLS 1.2 and TLS 1.3 are accepted. The clients are allowed the old
# versions (SECLEVEL=0, in an OpenSSL configuration vigie reads too), and an openssl
# s_server that accepts TLS 1.1 proves they really offer it: the refusal is vigie's, not
# the client's nor the system's.
set -u
vigie=$1
source_dir=$2
. "$source_dir/tests/serve/serve_lib.sh"

cd "$work"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=vigie-test-ca -keyout ca.key -out ca.pem 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
  -extfile server.ext -out server.pem 2>/dev/null
cat > vigie.yaml <<YAML
http:
  tls: {enabled: true, certificate: $work/server.pem, private_key: $work/server.key}
rules: {paths: [$source_dir/rules/windows], mapping: windows, cache_dir: $work/cache}
alerts: {output: $work/alerts.jsonl}
agencies:
  - {id: demo, token_sha256: $(digest demo-token)}
YAML
old_ciphers='DEFAULT@SECLEVEL=0'  # lets the client offer TLS 1.0 and 1.1 (OpenSSL 3)
# Every process here (vigie too) reads an OpenSSL configuration that allows TLS 1.0 and 1.1,
# as some sites' do: Debian's own (SECLEVEL=2) would refuse them whatever vigie asks, and
# hide a vigie that does not set its minimum itself.
cat > openssl-legacy.cnf <<CNF
openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
MinProtocol = TLSv1
CipherString = $old_ciphers
CNF
export OPENSSL_CONF=$work/openssl-legacy.cnf
# handshake PORT VERSION: "accepted PROTOCOL" or "refused: REASON" (openssl s_client).
handshake() {
  local out
  out=$(openssl s_client -brief -connect "127.0.0.1:$1" -CAfile ca.pem "-$2" \
    -cipher "$old_ciphers" </dev/null 2>&1)
  if [ $? -eq 0 ] && grep -q '^Verification: OK' <<<"$out"; then
    echo "accepted $(sed -nE 's/^Protocol version: *(.*)/\1/p' <<<"$out" | head -1)"
  else
    echo "refused: $(grep -oE 'alert [a-z ]+' <<<"$out" | head -1)"
  fi
}
# get PORT TLS_MIN TLS_MAX: the HTTP status of GET /healthz over curl (000: no session).
get() {
  curl -s -o /dev/null -w '%{http_code}' --cacert ca.pem --ciphers "$old_ciphers" \
    "--tlsv$2" --tls-max "$3" "https://127.0.0.1:$1/healthz"
}

# The control: an openssl server that accepts TLS 1.1 (client certificate check off).
control_port=$(free_port)
openssl s_server -accept "127.0.0.1:$control_port" -cert server.pem -key server.key -tls1_1 \
  -cipher "$old_ciphers" -www >control.log 2>&1 &
control_pid=$!
control_open() { (exec 3<>"/dev/tcp/127.0.0.1/$control_port") 2>/dev/null; }
wait_until 10 control_open || { echo "FAIL: openssl s_server did not start"; cat control.log; exit 1; }
check "control: the client negotiates TLS 1.1 with a server that allows it" \
  equals "$(handshake "$control_port" tls1_1)" "accepted TLSv1.1"
check "control: so does curl" equals "$(get "$control_port" 1.1 1.1)" 200
kill "$control_pid"
wait "$control_pid" 2>/dev/null

start_serve T vigie.yaml || exit 1
check "vigie refuses TLS 1.0" equals "$(handshake "$HTTP_T" tls1)" "refused: alert protocol version"
check "vigie refuses TLS 1.1" equals "$(handshake "$HTTP_T" tls1_1)" "refused: alert protocol version"
check "vigie accepts TLS 1.2" equals "$(handshake "$HTTP_T" tls1_2)" "accepted TLSv1.2"
check "vigie accepts TLS 1.3" equals "$(handshake "$HTTP_T" tls1_3)" "accepted TLSv1.3"
check "curl limited to TLS 1.1: no session" equals "$(get "$HTTP_T" 1.0 1.1)" 000
check "curl limited to TLS 1.2: 200" equals "$(get "$HTTP_T" 1.2 1.2)" 200
check "curl with TLS 1.3: 200" equals "$(get "$HTTP_T" 1.3 1.3)" 200
stop_serve T
check "exit 0" equals "$STATUS" 0

echo "item06 TLS minimum: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
