#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Hardening item 6: authentication on the header, before any body. A real vigie serve with
# agencies, an admin token and a TAXII server. Without a valid credential, a request is
# answered 401 on its header alone: curl with Expect: 100-continue gets 401, never 100, and
# uploads nothing; a raw socket that sends only the header of a 16 MiB POST gets 401 at
# once; the ingest, admin and TAXII routes all; a health probe may not carry a body (413);
# 24 unauthenticated 16 MiB uploads sent whole do not make vigie hold their bodies (peak
# RSS); a good token still gets 100 Continue and 200. The server serves on and stops cleanly.
set -u
vigie=$1
source_dir=$2
. "$source_dir/tests/serve/serve_lib.sh"

collection=91a7b528-80eb-42ed-a74d-c6fbd5a26116
cat > "$work/vigie.yaml" <<YAML
rules: {paths: [$source_dir/rules/windows], cache_dir: $work/cache}
alerts: {output: $work/alerts.jsonl}
$(demo_agency)
admin: {token_sha256: $(digest admin-token)}
$(taxii_for_amber "$collection" "read: true, write: true")
YAML
start_serve A "$work/vigie.yaml" || exit 1
base="http://127.0.0.1:$HTTP_A"
head -c $((16 << 20)) /dev/zero | tr '\0' 'x' > "$work/big"

# upload URL [curl options...]: "STATUS UPLOADED_BYTES" with Expect: 100-continue; curl's
# trace in $work/trace (a 100 Continue would show there as "< HTTP/1.1 100").
upload() {
  local url=$1; shift
  curl -s -v -o "$work/body" -w '%{http_code} %{size_upload}' -X POST -H 'Expect: 100-continue' \
    --expect100-timeout 30 --data-binary @"$work/big" "$@" "$url" 2> "$work/trace"
}
no_continue() { ! grep -q '< HTTP/1.1 100' "$work/trace"; }

check "ingest without a token: 401 before any body byte" equals "$(upload "$base/v1/events")" "401 0"
check "  and no 100 Continue" no_continue
check "  with the reason" has "$work/body" 'missing or unknown bearer token'
check "ingest with a wrong token: 401, nothing uploaded" \
  equals "$(upload "$base/v1/events" -H 'Authorization: Bearer nope')" "401 0"
check "  and no 100 Continue" no_continue
check "admin reload with a wrong token: 401, nothing uploaded" \
  equals "$(upload "$base/v1/admin/reload" -H 'Authorization: Bearer demo-token')" "401 0"
check "  and no 100 Continue" no_continue
media='application/taxii+json;version=2.1'
check "TAXII POST with a wrong password: 401, nothing uploaded" \
  equals "$(upload "$base/api1/collections/$collection/objects/" -u amber:wrong \
            -H "Content-Type: $media" -H "Accept: $media")" "401 0"
check "  in the TAXII media type" has "$work/trace" "< Content-Type: application/taxii+json"
check "  and no 100 Continue" no_continue
check "a health probe with a body: 413, nothing uploaded" equals "$(upload "$base/healthz")" "413 0"
check "an unknown ingest path with a body: 413, nothing uploaded" equals "$(upload "$base/v1/nope")" "413 0"
check "any other path belongs to TAXII: 401, nothing uploaded" equals "$(upload "$base/nope")" "401 0"

# A raw client sends only the header of a 16 MiB POST (no Expect): the 401 comes at once,
# then the connection closes; no body byte was ever sent.
cat > "$work/header_only.py" <<'PY'
import socket, sys
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port), timeout=30)
s.sendall(b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n"
          b"Content-Length: 16777216\r\n\r\n")
data = b""
try:
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
except socket.timeout:
    print("timeout")
    sys.exit(0)
print(data.split(b"\r\n", 1)[0].decode() + (" closed" if data else " nothing"))
PY
check "raw header only, no token: 401, then closed" \
  equals "$(python3 "$work/header_only.py" "$HTTP_A")" "HTTP/1.1 401 Unauthorized closed"

# 24 unauthenticated 16 MiB uploads sent whole, at once: vigie reads none of them into
# memory (the issue saw 24 MB -> 418 MB). Peak RSS may grow by far less than one body each.
hwm() { awk '/VmHWM/ {print $2}' "/proc/$PID_A/status"; }
before=$(hwm)
for i in $(seq 1 24); do
  curl -s -o /dev/null -w '%{http_code}\n' -X POST -H 'Expect:' --data-binary @"$work/big" \
    "$base/v1/events" > "$work/flood$i" 2>/dev/null &
done
wait $(jobs -p | grep -v "^$PID_A\$")
after=$(hwm)
echo "peak RSS before and after the flood: $before kB -> $after kB"
check "24 unauthenticated 16 MiB uploads: peak RSS grew under 64 MiB ($before -> $after kB)" \
  test $((after - before)) -lt 65536
check "  none of them got anything but 401 (or a reset mid-upload)" \
  bash -c "! cat $work/flood* | grep -v '^401\$' | grep -v '^000\$'"
check "  and at least one read its 401" bash -c "cat $work/flood* | grep -q '^401\$'"

# A good token: 100 Continue, then the body is read and the events accepted.
printf '%s\n' '{"EventID":1,"Image":"C:\\a.exe"}' > "$work/one.ndjson"
code=$(curl -s -v -o "$work/body" -w '%{http_code}' -X POST -H 'Expect: 100-continue' \
  -H 'Authorization: Bearer demo-token' -H 'Content-Type: application/x-ndjson' --data-binary @"$work/one.ndjson" "$base/v1/events" 2> "$work/trace")
check "a good token: 200" equals "$code" 200
check "  after 100 Continue" has "$work/trace" '< HTTP/1.1 100 Continue'
check "  the event accepted" equals "$(json_number "$work/body" accepted)" 1
check "the refusals are logged" has "$work/A.log" 'refused: bad or missing token'
unauthorized() {
  curl -s "http://127.0.0.1:$METRICS_A/metrics" |
    sed -nE 's/^vigie_http_responses_total\{outcome="unauthorized"\} ([0-9]+).*/\1/p'
}
# 5 curl uploads, the raw client and at least one of the flood were answered 401.
at_least_7_unauthorized() { [ "$(unauthorized)" -ge 7 ] 2>/dev/null; }
wait_until 10 at_least_7_unauthorized
check "  and counted: vigie_http_responses_total{outcome=\"unauthorized\"} $(unauthorized) >= 7" \
  at_least_7_unauthorized
check "vigie serve still answers /healthz" \
  equals "$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz")" 200
stop_serve A
check "and stops cleanly (exit 0)" equals "$STATUS" 0
[ "$failures" -eq 0 ] || tail -5 "$work/A.log" | cut -c1-300

echo "item06 auth before body: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
