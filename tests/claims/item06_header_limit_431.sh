#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Issue 19 item 6: "headers are limited to 16 KiB ... 431; connection closed" (README,
# Security model). A real vigie serve and raw HTTP/1.1 over a socket (python3): header
# fields of exactly 16,384 bytes (the blank line included) are served on a connection kept
# alive; one byte more is answered 431 with Connection: close and the connection is closed,
# although the client asked to keep it; so is a request line over 16 KiB. Beast counts the
# request line and the header fields apart, each against the 16 KiB limit.
set -u
vigie=$1
source_dir=$2
. "$source_dir/tests/serve/serve_lib.sh"

cat > "$work/vigie.yaml" <<YAML
http: {idle_timeout_seconds: 60}
rules: {paths: [$source_dir/rules/windows], mapping: windows, cache_dir: $work/cache}
alerts: {output: $work/alerts.jsonl}
agencies:
  - {id: demo, token_sha256: $(digest demo-token)}
YAML
# raw FIELDS_BYTES [TARGET_BYTES]: a keep-alive GET /healthz whose header fields (with the
# final blank line) are FIELDS_BYTES long; prints its status line, its Connection header
# and what became of the connection: "closed" when the server closed it after the answer
# (the idle timeout, 60 s here, is far off), else "kept: " and the answer to a second
# request sent on it.
raw() {
  python3 - "$HTTP_A" "$1" "${2:-0}" <<'PY'
import socket, sys
port, fields, target = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
line = b"GET /healthz" + (b"?q=" + b"q" * (target - 15) if target else b"") + b" HTTP/1.1\r\n"
head = b"Host: 127.0.0.1\r\nX-Pad: "
pad = fields - len(head) - 4  # the pad's CRLF and the blank line
request = line + head + b"a" * pad + b"\r\n\r\n"
assert len(request) - len(line) == fields and (not target or len(line) == target + 11)
s = socket.create_connection(("127.0.0.1", port), timeout=30)

def answer():  # the status line and headers of one answer (its body read); None at EOF
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    size = next((int(l.split(":")[1]) for l in lines if l.lower().startswith("content-length:")), 0)
    while len(body) < size:
        body += s.recv(65536)
    return lines

s.sendall(request)
lines = answer() or ["no answer"]
connection = next((l for l in lines if l.lower().startswith("connection:")), "no Connection header")
try:
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    second = answer()
    state = "kept: " + second[0] if second else "closed"
except (ConnectionResetError, BrokenPipeError):
    state = "closed"
print(lines[0], "|", connection, "|", state)
PY
}

start_serve A "$work/vigie.yaml" || exit 1
check "header fields of 16,384 bytes: 200, the connection kept" \
  equals "$(raw 16384)" "HTTP/1.1 200 OK | no Connection header | kept: HTTP/1.1 200 OK"
check "16,385 bytes: 431, Connection: close, closed" \
  equals "$(raw 16385)" "HTTP/1.1 431 Request Header Fields Too Large | Connection: close | closed"
check "64 KiB of header fields: 431, closed" \
  equals "$(raw 65536)" "HTTP/1.1 431 Request Header Fields Too Large | Connection: close | closed"
check "a request line of 16,400 bytes: 431, closed" \
  equals "$(raw 100 16400)" "HTTP/1.1 431 Request Header Fields Too Large | Connection: close | closed"
check "the 431 says why" equals "$(curl -s -H "X-Pad: $(head -c 17000 /dev/zero | tr '\0' a)" \
  "http://127.0.0.1:$HTTP_A/healthz")" '{"error":"the request header is over 16 KiB"}'
check "and vigie still serves" \
  equals "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_A/healthz")" 200
stop_serve A
check "exit 0" equals "$STATUS" 0

echo "item06 header limit 431: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
