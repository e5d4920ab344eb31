# SPDX-License-Identifier: EUPL-1.2
# Shared by the vigie serve tests: start a vigie serve process on free loopback ports
# (port 0; the ports are read back from its "serving" log line), send it requests with
# curl, stop it. Source it after setting $vigie (and $source_dir, which copy_windows_rules
# and the pieces of configuration read); it makes $work, removed at exit with every
# process the test left running.
work=$(mktemp -d)
trap 'kill -KILL $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
. "$(dirname "${BASH_SOURCE[0]}")/../support/check_lib.sh"
digest() { printf %s "$1" | sha256sum | cut -d' ' -f1; }

# start_serve NAME CONFIG [OPTION...]: runs vigie serve in the background on free loopback
# ports; sets PID_<NAME>, HTTP_<NAME> and METRICS_<NAME>; its stderr (logs) goes to
# $work/NAME.log. Returns 1, having said why and printed the log, when it did not start.
start_serve() {
  local name=$1 config=$2
  shift 2
  start_vigie_serve "$work/$name.log" "$vigie" --config "$config" --http-listen 127.0.0.1:0 \
    --metrics-listen 127.0.0.1:0 "$@" || return 1
  printf -v "PID_$name" '%s' "$SERVE_PID"
  printf -v "HTTP_$name" '%s' "$SERVE_HTTP"
  printf -v "METRICS_$name" '%s' "$SERVE_METRICS"
}

# stop_serve NAME: SIGTERM, then the exit status (0 expected) in STATUS.
stop_serve() {
  local pid_var="PID_$1"
  kill -TERM "${!pid_var}"
  wait "${!pid_var}"
  STATUS=$?
}

# post PORT TOKEN FILE [curl options...]: the status code on stdout, the body in $work/body,
# the headers in $work/headers.
post() {
  local port=$1 token=$2 file=$3; shift 3
  curl -s -o "$work/body" -D "$work/headers" -w '%{http_code}' -X POST \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/x-ndjson' \
    --data-binary "@$file" "$@" "http://127.0.0.1:$port/v1/events"
}

# copy_windows_rules: rules/windows copied to $work/rules, a rules folder the test may change.
copy_windows_rules() {
  mkdir -p "$work/rules"
  cp "$source_dir"/rules/windows/*.yml "$work/rules/"
}

# Pieces of configuration several tests state alike, for their YAML here-documents
# ("$(demo_agency)"); each prints whole top-level sections.

# demo_agency [unlimited]: the agencies section with agency demo, token demo-token;
# "unlimited": with a rate limit no test reaches. More agencies may follow as list items.
demo_agency() {
  printf 'agencies:\n  - id: demo\n    token_sha256: %s\n' "$(digest demo-token)"
  [ "${1:-}" != unlimited ] || printf '    rate_limit: {events_per_second: 1000000, burst: 1000000}\n'
}

# taxii_for_amber COLLECTION RIGHTS [ROOT_OPTIONS] [PEER_OPTIONS]: the taxii section of a
# server holding COLLECTION under the root api1 (ROOT_OPTIONS added to the root's) in
# $work/taxii.sqlite, for one peer, amber (password amber-pw), with RIGHTS on it
# ("read: true" or "read: true, write: true"; PEER_OPTIONS added to the peer's).
taxii_for_amber() {
  cat <<YAML
taxii:
  enabled: true
  store: $work/taxii.sqlite
  api_roots: [{path: api1, title: Test root${3:+, $3}}]
  collections: [{id: $1, title: Indicators}]
  peers:
    - {id: amber, user: amber, password_sha256: $(digest amber-pw)${4:+, $4},
       collections: [{id: $1, $2}]}
YAML
}

# cert_a_config COLLECTION SEED: CERT-A, a vigie serve whose TAXII server holds COLLECTION
# (root api1, seeded from the bundle SEED) for the peer green-peer (token green-token, read
# only); its files are $work/a-*. More peers may follow as list items.
cert_a_config() {
  cat <<YAML
rules: {paths: [$source_dir/rules/windows], cache_dir: $work/cache}
alerts: {output: $work/a-alerts.jsonl}
spool: {directory: $work/a-spool}
taxii:
  enabled: true
  store: $work/a-taxii.sqlite
  api_roots: [{path: api1, title: CERT-A}]
  collections: [{id: $1, title: Indicators, seed: $2}]
  peers:
    - id: green-peer
      token_sha256: $(digest green-token)
      collections: [{id: $1, read: true}]
YAML
}

# cert_b_config COLLECTION: CERT-B, a second vigie serve (indicators on, agency hospital)
# polling CERT-A's COLLECTION (root api1 at $HTTP_A) every second with the token
# green-token (in $work/green-token); its files are $work/b-*.
cert_b_config() {
  printf 'green-token' > "$work/green-token"
  cat <<YAML
rules: {paths: [$source_dir/rules/windows], cache_dir: $work/cache}
alerts: {output: $work/b-alerts.jsonl}
spool: {directory: $work/b-spool}
indicators: {enabled: true, store: $work/b-indicators.sqlite}
agencies:
  - {id: hospital, token_sha256: $(digest hospital-token)}
federation:
  identity: identity--b0000000-0000-4000-8000-00000000000b
  peers:
    - id: cert-a
      url: http://127.0.0.1:$HTTP_A/api1/
      collection: $1
      token_file: $work/green-token
      interval_seconds: 1
YAML
}

# webhook_down_config: a vigie serve whose only output is a webhook that is down, so that
# every alert stays in its spool (1 MiB; not drained at stop), for demo_agency unlimited.
webhook_down_config() {
  cat <<YAML
rules: {paths: [$source_dir/rules/windows], mapping: windows, cache_dir: $work/cache}
alerts:
  outputs:
    - {name: hook, type: webhook, url: "http://127.0.0.1:9/hook", retry_initial_ms: 100, retry_max_ms: 1000}
spool: {directory: $work/spool, max_bytes: 1048576, drain_seconds: 0}
$(demo_agency unlimited)
YAML
}

# json_number FILE KEY: the number after "KEY": in FILE.
json_number() { sed -nE "s/.*\"$2\":([0-9]+).*/\1/p" "$1" | head -1; }
