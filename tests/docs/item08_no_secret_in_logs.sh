#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Issue 19 item 8: no secret in any log line. A real vigie serve runs with a secret in every
# setting that can hold one (NATS input URL password and token, the NATS output's URL password,
# webhook URL credentials and query token, the webhook's secret_env value, the Pushgateway URL
# password, MISP feed URL credentials, federation peers' URL credentials, password_file and
# token_file), at log.level debug, where most of those endpoints fail (each failure is logged
# with its place). It then gets requests with good and bad agency, admin and TAXII credentials
# and a reload. Every line it writes (stderr and stdout) must hold none of the secret values.
set -u
vigie=$1
source_dir=$2
. "$source_dir/tests/serve/serve_lib.sh"
command -v nats-server > /dev/null || { echo "SKIPPED: nats-server is not installed"; exit 77; }

# Every secret is a distinct word, so that a hit names the setting it leaked from.
nats_pass=NatsInputPass-7f3a1
nats_token=NatsInputToken-5b9c2
hub_pass=NatsHubPass-c41d8
webhook_url_pass=WebhookUrlPass-90e2f
webhook_query_token=WebhookQueryToken-1a7b3
webhook_secret=WebhookSecretValue-66d04
push_pass=PushgatewayPass-3e8a9
misp_pass=MispFeedPass-b2c71
fed_url_pass=FederationUrlPass-48f0a
fed_password=FederationPasswordFile-d93e6
fed_token=FederationTokenFile-0c5a4
agency_token=AgencyToken-71be9
admin_token=AdminToken-a2f58
taxii_password=TaxiiPeerPassword-e61c0
wrong_token=WrongTokenTried-5d2e7
secrets=(nats_pass nats_token hub_pass webhook_url_pass webhook_query_token webhook_secret
  push_pass misp_pass fed_url_pass fed_password fed_token agency_token admin_token
  taxii_password wrong_token)

nats_port=$(free_port)
nats_port2=$(free_port)
nats-server -a 127.0.0.1 -p "$nats_port" -js -sd "$work/nats-store" --user vigie --pass "$nats_pass" \
  > "$work/nats-server.log" 2>&1 &
dead=$(free_port)  # nothing listens here: every client of it fails and logs why
printf %s "$fed_password" > "$work/password"
printf %s "$fed_token" > "$work/token"
copy_windows_rules
collection=91a7b528-80eb-42ed-a74d-c6fbd5a26116
cat > "$work/vigie.yaml" <<YML
rules: {paths: [$work/rules], cache_dir: $work/cache}
metrics:
  pushgateway: {url: "http://vigie:$push_pass@127.0.0.1:$dead", interval_seconds: 1}
alerts:
  output: $work/alerts.jsonl
  outputs:
    - {name: local, type: file, path: $work/alerts.jsonl}
    - name: hub
      type: nats
      url: nats://hub:$hub_pass@127.0.0.1:$dead
    - name: siem
      type: webhook
      url: "http://siem:$webhook_url_pass@127.0.0.1:$dead/hook?token=$webhook_query_token"
      secret_env: VIGIE_TEST_WEBHOOK_SECRET
      retry_initial_ms: 100
      retry_max_ms: 200
spool: {directory: $work/spool}
nats:
  enabled: true
  url: [nats://vigie:$nats_pass@127.0.0.1:$nats_port, nats://$nats_token@127.0.0.1:$nats_port2]
  subjects: events.>
  dead_letter_subject: events.dead
indicators:
  enabled: true
  store: $work/indicators.sqlite
  misp_feeds: ["http://misp:$misp_pass@127.0.0.1:$dead/feed/"]
taxii:
  enabled: true
  api_roots: [{path: api1}]
  collections: [{id: $collection, title: Indicators}]
  peers:
    - id: partner
      user: partner
      password_sha256: $(digest "$taxii_password")
      collections: [{id: $collection, read: true, write: true}]
federation:
  identity: identity--b0000000-0000-4000-8000-00000000000b
  name: CERT-B
  peers:
    - id: with-password
      url: http://fed:$fed_url_pass@127.0.0.1:$dead/api1/
      collection: $collection
      user: cert-b
      password_file: $work/password
      interval_seconds: 1
    - id: with-token
      url: http://127.0.0.1:$dead/api1/
      collection: $collection
      token_file: $work/token
      interval_seconds: 1
agencies:
  - id: demo
    token_sha256: $(digest "$agency_token")
admin:
  token_sha256: $(digest "$admin_token")
log:
  level: debug
YML
export VIGIE_TEST_WEBHOOK_SECRET=$webhook_secret
"$vigie" config check "$work/vigie.yaml" > "$work/check.out" 2>&1
check "the configuration is valid" equals "$?" 0
start_serve A "$work/vigie.yaml" > "$work/A.out" || { cat "$work/A.out" "$work/A.log"; exit 1; }
port=$HTTP_A
taxii_get() {  # USER:PASSWORD
  curl -s -o /dev/null -w '%{http_code}' -u "$1" -H 'Accept: application/taxii+json;version=2.1' \
    "http://127.0.0.1:$port/taxii2/"
}
admin_reload() {
  curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $1" \
    "http://127.0.0.1:$port/v1/admin/reload"
}
cp "$source_dir/samples/windows-sysmon.ndjson" "$work/events.ndjson"  # some of them alert
check "events with the agency token: 200" equals "$(post "$port" "$agency_token" "$work/events.ndjson")" 200
check "events with a wrong token: 401" equals "$(post "$port" "$wrong_token" "$work/events.ndjson")" 401
check "events with a token in the query string: 401" \
  equals "$(post "$port" "" "$work/events.ndjson" --url-query "token=$wrong_token")" 401
check "TAXII with the peer's password: 200" equals "$(taxii_get "partner:$taxii_password")" 200
check "TAXII with a wrong password: 401" equals "$(taxii_get "partner:$wrong_token")" 401
check "reload with a wrong admin token: 401" equals "$(admin_reload "$wrong_token")" 401
check "reload with the admin token: 200" equals "$(admin_reload "$admin_token")" 200
# The failures that carry a URL, each logged at least once before the check.
check "the webhook's failure is logged" wait_until 30 log_has "$work/A.log" '"output":"siem"'
check "the hub output's failure is logged" wait_until 30 log_has "$work/A.log" '"output":"hub"'
check "a federation poll failure is logged" wait_until 30 log_has "$work/A.log" 'federation: poll failed'
check "the MISP feed failure is logged" wait_until 30 log_has "$work/A.log" 'MISP'
check "the Pushgateway failure is logged" wait_until 30 log_has "$work/A.log" 'ushgateway'
check "the NATS input started" wait_until 30 log_has "$work/A.log" 'nats input started'
serve_gone() { ! kill -0 "$PID_A" 2>/dev/null || [ "$(ps -o stat= -p "$PID_A")" = Z ]; }
kill -TERM "$PID_A"
if ! wait_until 60 serve_gone; then
  echo "FAIL: vigie serve still running 60 s after SIGTERM; its last log lines:"
  tail -20 "$work/A.log"
  kill -KILL "$PID_A"
fi
stop_serve A 2>/dev/null  # reaps it: its exit status
check "vigie serve stops cleanly after SIGTERM (exit status $STATUS)" equals "$STATUS" 0

no_secret() {  # NAME: the value of $NAME in no output of vigie
  local value=${!1} hits
  hits=$(grep -F -n -- "$value" "$work/A.log" "$work/A.out" "$work/check.out" "$work/alerts.jsonl" 2>/dev/null)
  [ -z "$hits" ] || { echo "  $1 leaked:"; echo "$hits" | head -3 | cut -c1-400 | sed 's/^/    /'; return 1; }
}
for name in "${secrets[@]}"; do check "no $name in the logs" no_secret "$name"; done
check "the log has lines at all" [ "$(wc -l < "$work/A.log")" -gt 20 ]

echo "passed $pass, failed $failures"
[ "$failures" -eq 0 ]
