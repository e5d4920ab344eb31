#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Issue 19 item 6, TLP of indicator alerts on the forwarding outputs, end to end: a STIX
# bundle with one indicator per TLP level (CLEAR, GREEN, AMBER, AMBER+STRICT, RED, and one
# unmarked, which takes default_tlp: amber) loaded by `vigie serve`, one event per
# indicator posted over HTTP, then a sentinel event matching a local Sigma rule (no TLP).
# What each output received, read on the wire (webhook bodies, syslog messages, the hub's
# stream), must be what README promises: a file takes everything; an output that leaves
# the organisation (webhook, syslog, nats) takes CLEAR and GREEN, AMBER only with
# tlp_amber: true, never AMBER+STRICT or RED; inside_organisation: true takes everything.
# Every indicator alert carries its TLP (indicator.tlp and the rule's tlp:<level> tag).
# The outputs forward in spool order, so once the sentinel reached a receiver everything
# before it has too: the test waits on that, not on time.
# Usage: item06_tlp_outputs_test.sh VIGIE SOURCE_DIR [VIGIE_NATS_TOOL]
#   with VIGIE_NATS_TOOL, a nats output to a real nats-server hub as well (exit 77 without
#   nats-server).
set -u
vigie=$1
src=$2
tool=${3:-}
if [ -n "$tool" ] && ! command -v nats-server >/dev/null; then
  echo "SKIP: nats-server is not installed (apt-get install nats-server)"
  exit 77
fi
. "$src/tests/serve/serve_lib.sh"
. "$src/tests/intel/intel_lib.sh"
token=intel-tlp-token
trap 'status=$?; [ $status -ne 0 ] && for f in "$work"/*.log; do echo "---- $f"; tail -50 "$f"; done; kill -KILL $(jobs -p) 2>/dev/null; rm -rf "$work"; exit $status' EXIT

start_receiver webhook hook || exit 1
start_receiver webhook hook_amber || exit 1
start_receiver webhook inhouse || exit 1
start_receiver syslog syslog || exit 1
hub_output=""
if [ -n "$tool" ]; then
  hub_port=$(free_port)
  nats-server -js -a 127.0.0.1 -p "$hub_port" -sd "$work/hub-store" >"$work/hub.log" 2>&1 &
  wait_until 10 "$tool" hub-stream --url "nats://127.0.0.1:$hub_port" --stream ALERTS \
    --subjects 'alerts.>' >/dev/null 2>&1 || { echo "the hub did not start"; exit 1; }
  hub_output="    - {name: hub, type: nats, url: \"nats://127.0.0.1:$hub_port\", ack_timeout_ms: 2000}"
fi

mkdir -p "$work/rules"
cat >"$work/rules/sentinel.yml" <<'YML'
title: TLP test sentinel
id: 5e471e10-0000-4000-8000-000000000001
status: test
level: high
logsource: {product: windows}
detection:
  sel:
    QueryName: sentinel.tlp.example
  condition: sel
YML
cat >"$work/serve.yaml" <<YAML
rules: {paths: [$work/rules], mapping: windows, cache_dir: $work/cache}
indicators:
  enabled: true
  store: $work/indicators.sqlite
  bundles: [$src/tests/intel/tlp-bundle.json]
alerts:
  outputs:
    - {name: all, type: file, path: $work/all.received}
    - {name: hook, type: webhook, url: "http://127.0.0.1:$PORT_hook/", secret_env: HOOK_SECRET,
       retry_initial_ms: 50, retry_max_ms: 500}
    - {name: hook_amber, type: webhook, url: "http://127.0.0.1:$PORT_hook_amber/", tlp_amber: true,
       secret_env: HOOK_SECRET, retry_initial_ms: 50, retry_max_ms: 500}
    - {name: inhouse, type: webhook, url: "http://127.0.0.1:$PORT_inhouse/", inside_organisation: true,
       secret_env: HOOK_SECRET, retry_initial_ms: 50, retry_max_ms: 500}
    - {name: syslog, type: syslog, address: "127.0.0.1:$PORT_syslog"}
$hub_output
spool: {directory: $work/spool}
agencies:
  - {id: demo, token_sha256: $(digest "$token")}
YAML
HOOK_SECRET=s3cret start_serve v "$work/serve.yaml" || exit 1
check "the bundle's six indicators are imported" \
  grep -q '"msg":"indicators imported".*"new":6' "$work/v.log"

# event SEQ DOMAIN: a DNS query; "seq" numbers the events for the hub check (1, 2 and 3
# are the ones the hub may take: CLEAR, GREEN and the sentinel).
event() { printf '{"seq":%s,"Event":{"System":{"EventID":22,"Computer":"ws-1"},"EventData":{"QueryName":"%s"}}}\n' "$1" "$2"; }
seq=(clear:1 green:2 amber:4 amber-strict:5 red:6 unmarked:7)
for s in "${seq[@]}"; do event "${s#*:}" "${s%:*}.tlp.example"; done >"$work/indicator-events.ndjson"
event 3 sentinel.tlp.example >"$work/sentinel.ndjson"
check "indicator events accepted" equals "$(post "$HTTP_v" "$token" "$work/indicator-events.ndjson" --max-time 30)" 200
check "six indicator alerts" equals "$(json_number "$work/body" alerts)" 6
check "sentinel accepted" equals "$(post "$HTTP_v" "$token" "$work/sentinel.ndjson" --max-time 30)" 200

sentinel='sigma:5e471e10-0000-4000-8000-000000000001'
for out in hook hook_amber inhouse syslog; do
  check "$out: the sentinel arrived (so did everything before it)" \
    wait_until 30 log_has "$work/$out.received" 5e471e10-0000-4000-8000-000000000001
done
check "all: the file output took the sentinel" log_has "$work/all.received" 5e471e10-0000-4000-8000-000000000001

everything="amber+strict=TLP:AMBER+STRICT/tlp:amber+strict amber=TLP:AMBER/tlp:amber clear=TLP:CLEAR/tlp:clear green=TLP:GREEN/tlp:green red=TLP:RED/tlp:red $sentinel unmarked=TLP:AMBER/tlp:amber"
outside="clear=TLP:CLEAR/tlp:clear green=TLP:GREEN/tlp:green $sentinel"
amber_cleared="amber=TLP:AMBER/tlp:amber clear=TLP:CLEAR/tlp:clear green=TLP:GREEN/tlp:green $sentinel unmarked=TLP:AMBER/tlp:amber"
check "file output: every alert, each with its TLP" equals "$(seen "$work/all.received")" "$everything"
check "webhook leaving the organisation: CLEAR and GREEN only" equals "$(seen "$work/hook.received")" "$outside"
check "webhook with tlp_amber: AMBER (and the unmarked = default AMBER) too, never AMBER+STRICT or RED" \
  equals "$(seen "$work/hook_amber.received")" "$amber_cleared"
check "webhook inside_organisation: every alert" equals "$(seen "$work/inhouse.received")" "$everything"
check "syslog leaving the organisation: CLEAR and GREEN only" equals "$(seen "$work/syslog.received")" "$outside"

if [ -n "$tool" ]; then
  # Waits for CLEAR, GREEN and the sentinel (seqs 1-3); what else came is checked once
  # vigie has stopped (below).
  hub=$("$tool" hub-check --url "nats://127.0.0.1:$hub_port" --stream ALERTS --expect 3 --timeout 30)
  echo "hub: $hub"
  check "hub: CLEAR, GREEN and the sentinel (seqs 1-3), each once" grep -q '"missing_seqs":0,' <<<"$hub"
fi
stop_serve v
check "exit 0 after SIGTERM" equals "$STATUS" 0
if [ -n "$tool" ]; then
  # SIGTERM drains the forwarding outputs: the stream now holds all the hub will ever get.
  hub=$("$tool" hub-check --url "nats://127.0.0.1:$hub_port" --stream ALERTS --expect 3)
  check "hub: nothing else, once vigie has stopped ($hub)" grep -q '"messages":3,' <<<"$hub"
fi
echo "item06_tlp_outputs: $pass checks passed, $failures failed"
[ "$failures" -eq 0 ]
