# SPDX-License-Identifier: EUPL-1.2
# Shared by the tests/intel shell tests (sourced after tests/serve/serve_lib.sh, which gives
# $work, check, wait_until, log_has and start_serve): loopback receivers for the forwarding
# outputs, /metrics reads, and what a set of delivered alerts says about their indicators.
intel_dir=$(dirname "${BASH_SOURCE[0]}")

# start_receiver KIND NAME: runs tests/outputs/webhook_receiver.py (KIND webhook: it checks
# the signature with the secret the intel tests give vigie, HOOK_SECRET=s3cret) or
# syslog_collector.py (KIND syslog) in the background, the alerts it receives in
# $work/NAME.received; sets PORT_<NAME>.
start_receiver() {
  if [ "$1" = syslog ]; then
    python3 "$intel_dir/syslog_collector.py" --port-file "$work/$2.port" --log "$work/$2.received" &
  else
    python3 "$intel_dir/../outputs/webhook_receiver.py" --port-file "$work/$2.port" \
      --log "$work/$2.requests" --secret s3cret --alerts "$work/$2.received" &
  fi
  wait_until 10 test -s "$work/$2.port" || { echo "receiver $2 did not start"; return 1; }
  printf -v "PORT_$2" '%s' "$(cat "$work/$2.port")"
}

# metric PORT NAME{LABELS}: the value of one sample of vigie's /metrics (empty if absent).
metric() {
  curl -s "http://127.0.0.1:$1/metrics" | awk -v m="$2" '$1 == m {print $2}'
}
metric_is() { [ "$(metric "$1" "$2")" = "$3" ]; }

# seen FILE: what the alerts in FILE (one per line; a syslog line holds its alert after
# the RFC 5424 header) say, sorted: "LEVEL=TLP:X/tag" per indicator alert, the level
# taken from the indicator's name ("TLP red domain"), the TLP from its indicator object and
# the tlp: tag from its rule's tags; "sigma:<rule id>" per rule alert.
seen() {
  [ -f "$1" ] || { echo "(nothing received)"; return; }
  python3 - "$1" <<'PY'
import json, sys
out = []
for line in open(sys.argv[1]):
    alert = json.loads(line[line.index("{"):])
    ind = alert.get("indicator")
    if ind:
        tags = [t for t in alert["rule"].get("tags", []) if t.startswith("tlp:")]
        out.append("%s=%s/%s" % (ind["name"].split()[1], ind["tlp"], ",".join(tags)))
    else:
        out.append("sigma:" + alert["rule"]["id"])
print(" ".join(sorted(out)))
PY
}
