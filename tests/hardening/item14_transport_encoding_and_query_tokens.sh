#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Hardening item 14, transport parts. A real vigie serve with an agency and a TAXII server.
# Transfer-Encoding other than chunked ("gzip, chunked", "gzip") gets 501 with the reason,
# not a body read as if it were plain; chunked alone still works. A token sent in a query
# string (refused requests are logged with their request line) never reaches the log:
# credential-like query values are written REDACTED, other parameters as they are.
set -u
vigie=$1
source_dir=$2
. "$source_dir/tests/serve/serve_lib.sh"

collection=91a7b528-80eb-42ed-a74d-c6fbd5a26116
cat > "$work/vigie.yaml" <<YAML
rules: {paths: [$source_dir/rules/windows], mapping: windows, cache_dir: $work/cache}
alerts: {output: $work/alerts.jsonl}
$(demo_agency)
admin: {token_sha256: $(digest admin-token)}
$(taxii_for_amber "$collection" "read: true")
YAML
start_serve A "$work/vigie.yaml" || exit 1
base="http://127.0.0.1:$HTTP_A"
printf '%s\n' '{"EventID":1,"Image":"C:\\a.exe"}' | gzip > "$work/one.gz"

# raw REQUEST_FILE: sends the bytes as they are; the status line on stdout, all in $work/answer.
raw() {
  python3 - "$HTTP_A" "$1" > "$work/answer" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
s.sendall(open(sys.argv[2], "rb").read())
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
sys.stdout.write(data.decode("latin-1"))
PY
  head -1 "$work/answer" | tr -d '\r'
}
# chunked_request TRANSFER_ENCODING: a POST of one.gz in one chunk.
chunked_request() {
  python3 - "$1" "$work/one.gz" <<'PY'
import sys
body = open(sys.argv[2], "rb").read()
sys.stdout.buffer.write(b"POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer demo-token\r\n"
                        b"Content-Type: application/x-ndjson\r\nConnection: close\r\n"
                        b"Transfer-Encoding: " + sys.argv[1].encode() + b"\r\n\r\n"
                        + b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n")
PY
}
chunked_request 'gzip, chunked' > "$work/gzip_chunked.http"
check "Transfer-Encoding: gzip, chunked: 501" equals "$(raw "$work/gzip_chunked.http")" "HTTP/1.1 501 Not Implemented"
check "  with the reason" has "$work/answer" "Transfer-Encoding 'gzip, chunked' is not supported (chunked only"
printf 'POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer demo-token\r\nTransfer-Encoding: gzip\r\nConnection: close\r\n\r\n' > "$work/gzip_only.http"
check "Transfer-Encoding: gzip: 501" equals "$(raw "$work/gzip_only.http")" "HTTP/1.1 501 Not Implemented"
python3 - "$work/one.gz" > "$work/chunked_ok.http" <<'PY'
import sys
body = open(sys.argv[1], "rb").read()
sys.stdout.buffer.write(b"POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer demo-token\r\n"
                        b"Content-Type: application/x-ndjson\r\nContent-Encoding: gzip\r\n"
                        b"Connection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n")
PY
check "chunked alone, with Content-Encoding: gzip: 200" equals "$(raw "$work/chunked_ok.http")" "HTTP/1.1 200 OK"
check "  the event accepted" has "$work/answer" '"accepted":1'

# Tokens in query strings: refused requests are logged with their request line.
secret=s3cr3t-in-the-url
status() { curl -s -o "${OUT:-/dev/null}" -w '%{http_code}' "$@"; }
check "a token in the query is no token: 401" equals "$(status -X POST "$base/v1/events?token=$secret&batch=7")" 401
check "  (admin): 401" equals "$(status -X POST "$base/v1/admin/reload?access_token=$secret")" 401
check "  (TAXII): 401" equals "$(status "$base/api1/collections/?api_key=$secret&added_after=2024")" 401
check "an unknown path: 404" equals "$(OUT=$work/notfound status "$base/v1/nope?password=$secret")" 404
three_refusals() { [ "$(grep -c 'refused: bad or missing' "$work/A.log")" -ge 3 ]; }
wait_until 10 three_refusals
check "the three refusals are logged" test "$(grep -c 'refused: bad or missing' "$work/A.log")" -ge 3
check "  with the token's value REDACTED" has "$work/A.log" '"request":"POST /v1/events?token=REDACTED&batch=7"'
check "  (admin)" has "$work/A.log" '?access_token=REDACTED'
check "  (TAXII), other parameters kept" has "$work/A.log" '?api_key=REDACTED&added_after=2024'
check "the secret is nowhere in the log" bash -c "! grep -q '$secret' '$work/A.log'"
check "nor in a 404's answer" bash -c "! grep -q '$secret' '$work/notfound'"
stop_serve A
check "and stops cleanly (exit 0)" equals "$STATUS" 0
check "the secret is nowhere in the log after the stop either" bash -c "! grep -q '$secret' '$work/A.log'"
[ "$failures" -eq 0 ] || { cat "$work/answer"; grep refused "$work/A.log" | cut -c1-300; }

echo "item14 transport: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
