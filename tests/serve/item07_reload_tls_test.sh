#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Issue 19 item 7, TLS: a reload re-reads the certificate files (renewed in place, or other
# files the configuration now names) and http.tls.client_ca; connections opened after it
# handshake with the new ones. Turning TLS on or off is named restart_required.
set -u
vigie=$1
source_dir=$2
. "$source_dir/tests/serve/serve_lib.sh"

cd "$work"
ca() { openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1" -keyout "$1.key" -out "$1.pem" 2>/dev/null; }
sign() {  # sign CA NAME CN [EXTENSION]
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$3" -keyout "$2.key" -out "$2.csr" 2>/dev/null
  printf '%s\n' "${4:-}" > "$2.ext"
  openssl x509 -req -in "$2.csr" -CA "$1.pem" -CAkey "$1.key" -CAcreateserial -days 2 \
    -extfile "$2.ext" -out "$2.pem" 2>/dev/null
}
ca ca1; ca ca2; ca ca3
san='subjectAltName=IP:127.0.0.1'
sign ca1 server1 127.0.0.1 "$san"
sign ca2 server2 127.0.0.1 "$san"
sign ca1 demo demo
head -3 "$source_dir/samples/windows-sysmon.ndjson" > sample.ndjson
config() {  # config CERT CLIENT_CA [ENABLED]
  cat > vigie.yaml <<YML
http:
  tls: {enabled: ${3:-true}, certificate: $work/$1.pem, private_key: $work/$1.key, client_ca: "$2"}
rules: {paths: [$source_dir/rules/windows], cache_dir: $work/cache}
engine: {threads: 1}
alerts: {output: $work/alerts.jsonl}
agencies:
  - {id: demo, token_sha256: $(digest demo-token)}
admin: {token_sha256: $(digest admin-token)}
YML
}
tls_post() {  # tls_post CA [curl options]: the status code (000: no TLS session)
  local ca=$1; shift
  curl -s -o body -w '%{http_code}' --cacert "$ca.pem" -X POST -H 'Authorization: Bearer demo-token' \
    -H 'Content-Type: application/x-ndjson' --data-binary @sample.ndjson "$@" \
    "https://127.0.0.1:$HTTP_T/v1/events"
}
reload() {  # reload CA_FILE [curl options]
  local ca=$1; shift
  curl -s -o reload -w '%{http_code}' --cacert "$ca" -X POST -H 'Authorization: Bearer admin-token' \
    "$@" "https://127.0.0.1:$HTTP_T/v1/admin/reload"
}

config server1 ""
start_serve T vigie.yaml || exit 1
check "served with the first certificate" equals "$(tls_post ca1)" 200
check "not with another CA's" equals "$(tls_post ca2)" 000

# Other files named: new connections get the new certificate.
config server2 ""
check "reload 200" equals "$(reload ca1.pem)" 200
check "certificate and key named applied" has reload '"applied":["http.tls.certificate","http.tls.private_key"]'
check "new connections get the new certificate" equals "$(tls_post ca2)" 200
check "... not the old one" equals "$(tls_post ca1)" 000

# The same files renewed in place (another CA): taken by a reload that changes no setting.
sign ca3 server2 127.0.0.1 "$san"
check "reload 200 (renewed in place)" equals "$(reload ca2.pem)" 200
check "no setting changed" has reload '"applied":[]'
check "the renewed certificate is served" equals "$(tls_post ca3)" 200

# Client certificates required from now on.
config server2 "$work/ca1.pem"
check "reload 200 (client_ca)" equals "$(reload ca3.pem)" 200
check "client_ca applied" has reload '"applied":["http.tls.client_ca"]'
check "no client certificate: no session" equals "$(tls_post ca3)" 000
check "the agency's client certificate 200" equals "$(tls_post ca3 --cert demo.pem --key demo.key)" 200

# Turning TLS off needs a restart: named, and TLS stays on, as it was (client_ca too).
config server2 "" false
check "reload 200 (TLS off)" equals "$(reload ca3.pem --cert demo.pem --key demo.key)" 200
check "TLS settings named restart_required" has reload '"restart_required":["http.tls.client_ca","http.tls.enabled"]'
check "... none applied" has reload '"applied":[]'
check "TLS still served" equals "$(tls_post ca3 --cert demo.pem --key demo.key)" 200
check "plain HTTP still refused" equals "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$HTTP_T/healthz")" 000

stop_serve T
check "exit 0" equals "$STATUS" 0
[ "$failures" -eq 0 ] || { echo "--- vigie serve log:"; cat T.log; }
echo "item07_reload_tls: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
