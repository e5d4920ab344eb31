#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# vigie serve over TLS: a certificate authority, a server certificate and two client
# certificates made with openssl here; curl as the client. With http.tls.client_ca set, a
# client must present a certificate the CA signed, and its common name must be the
# agency of the bearer token.
set -u
vigie=$1
source_dir=$2
. "$source_dir/tests/serve/serve_lib.sh"

cd "$work"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=vigie-test-ca -keyout ca.key -out ca.pem 2>/dev/null
sign() {  # sign NAME CN [EXTENSION]
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$2" -keyout "$1.key" -out "$1.csr" 2>/dev/null
  if [ $# -ge 3 ]; then printf '%s\n' "$3" > "$1.ext"; else : > "$1.ext"; fi
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
    -extfile "$1.ext" -out "$1.pem" 2>/dev/null
}
sign server 127.0.0.1 'subjectAltName=IP:127.0.0.1'
sign demo demo
sign other other
cp "$source_dir"/samples/windows-sysmon.ndjson sample.ndjson
config() {  # config CLIENT_CA
  cat <<YML
http:
  tls: {enabled: true, certificate: $work/server.pem, private_key: $work/server.key, client_ca: "$1"}
rules: {paths: [$source_dir/rules/windows], cache_dir: $work/cache}
engine: {threads: 1}
alerts: {output: $work/alerts.jsonl}
agencies:
  - {id: demo, token_sha256: $(digest demo-token)}
  - {id: other, token_sha256: $(digest other-token)}
YML
}
tls_post() {  # tls_post PORT TOKEN [curl options]: the status code (000: no TLS session)
  local port=$1 token=$2; shift 2
  curl -s -o body -w '%{http_code}' --cacert ca.pem -X POST -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/x-ndjson' --data-binary @sample.ndjson "$@" \
    "https://127.0.0.1:$port/v1/events"
}

# TLS without client certificates.
config "" > plain-tls.yaml
start_serve T plain-tls.yaml || exit 1
check "https accepted" equals "$(tls_post "$HTTP_T" demo-token)" 200
check "events counted over TLS" equals "$(json_number body accepted)" "$(grep -c . sample.ndjson)"
check "plain http refused on the TLS port" equals "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$HTTP_T/healthz")" 000
check "an untrusted server certificate is refused by the client" equals "$(curl -s -o /dev/null -w '%{http_code}' "https://127.0.0.1:$HTTP_T/healthz")" 000
stop_serve T
check "exit 0" equals "$STATUS" 0

# Client certificates required.
config "$work/ca.pem" > mtls.yaml
start_serve M mtls.yaml || exit 1
check "client certificate of the agency 200" equals "$(tls_post "$HTTP_M" demo-token --cert demo.pem --key demo.key)" 200
check "no client certificate: no session" equals "$(tls_post "$HTTP_M" demo-token)" 000
check "another agency's certificate 403" equals "$(tls_post "$HTTP_M" demo-token --cert other.pem --key other.key)" 403
check "403 names the certificate" has body "CN 'other'"
check "the other agency with its own certificate 200" equals "$(tls_post "$HTTP_M" other-token --cert other.pem --key other.key)" 200
stop_serve M
check "exit 0" equals "$STATUS" 0
check "alerts of both agencies" test "$(grep -c '"agency":"other",' alerts.jsonl)" -gt 0

echo "https ingest: $pass checks passed, $failures failed"
[ "$failures" -eq 0 ]
