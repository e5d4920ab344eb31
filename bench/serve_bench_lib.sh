# SPDX-License-Identifier: EUPL-1.2
# Shared by the vigie serve benchmarks (sourced): ports, clocks, the load's rules and
# bodies, and starting `vigie serve` on free ports. Needs $here (the repository).

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_port() {  # wait_port PORT: up to 10 s
  for _ in $(seq 200); do (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null && return 0; sleep 0.05; done
  return 1
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="${2:-$(now)}" 'BEGIN {printf "%.1f", b - a}'; }

# load_rules_and_bodies WORK BATCH SIGMA_DIR [VIGIE_BENCH]: the rules (SigmaHQ's rules*/ when SIGMA_DIR
# has them, else the repository's Windows rules) plus a marker rule every event matches
# once, in RULE_PATHS (a YAML list); generated Windows events with the marker field, cut
# into bodies of BATCH events, in BODIES (an array).
load_rules_and_bodies() {
  local work=$1 batch=$2 sigma=$3 generator=${4:-$here/build/vigie-bench} d
  mkdir -p "$work/rules" "$work/bodies"
  RULE_PATHS="[$work/rules"
  for d in "$sigma"/rules "$sigma"/rules-emerging-threats "$sigma"/rules-threat-hunting; do
    [ -d "$d" ] && RULE_PATHS="$RULE_PATHS, $d"
  done
  [ -d "$sigma/rules" ] || RULE_PATHS="$RULE_PATHS, $here/rules/windows"
  RULE_PATHS="$RULE_PATHS]"
  cat > "$work/rules/marker.yml" << 'YML'
title: vigie load-test marker
id: 00000000-10ad-4000-8000-000000000001
status: test
level: informational
logsource: {product: windows}
detection:
  sel: {VigieLoad: marker}
  condition: sel
YML
  "$generator" generate --size 32M "$work/events.ndjson" > /dev/null
  sed 's/"EventData":{/"EventData":{"VigieLoad":"marker",/' "$work/events.ndjson" |
    split -l "$batch" -d -a 4 - "$work/bodies/b"
  BODIES=("$work"/bodies/b*)
}

# start_serve_bench VIGIE CONFIG LOG: vigie serve on free ports, its logs in LOG; sets
# SERVE_PID, SERVE_HTTP, SERVE_METRICS (empty with metrics off) and SERVE_RULES from its
# "serving" line. Exits the script when it does not start.
start_serve_bench() {
  "$1" serve --config "$2" --http-listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0 \
    > /dev/null 2> "$3" &
  SERVE_PID=$!
  local line=""
  for _ in $(seq 1200); do
    line=$(grep -m1 '"msg":"serving"' "$3" 2> /dev/null || true)
    [ -n "$line" ] && break
    kill -0 "$SERVE_PID" 2> /dev/null || break
    sleep 0.1
  done
  [ -n "$line" ] || { cat "$3"; echo "vigie serve did not start"; exit 1; }
  SERVE_HTTP=$(sed -E 's/.*"http":"[^"]*:([0-9]+)".*/\1/' <<< "$line")
  SERVE_METRICS=$(sed -nE 's/.*"metrics":"[^"]*:([0-9]+)".*/\1/p' <<< "$line")
  SERVE_RULES=$(sed -E 's/.*"rules":([0-9]+).*/\1/' <<< "$line")
}

# curl_round ROUND ANSWERS_DIR: a curl config (-K) of 4 x $clients POSTs of the $bodies to
# vigie at $port with $token, each answer kept in ANSWERS_DIR/ROUND-T; a 503 or 429 is
# retried after its Retry-After (curl --retry), as an agency's forwarder would.
curl_round() {
  local r=$1 answers=$2 t i
  for t in $(seq 0 $((4 * clients - 1))); do
    i=$(((r * 4 * clients + t) % ${#bodies[@]}))
    [ "$t" -gt 0 ] && echo next
    printf 'url = "http://127.0.0.1:%s/v1/events"\n' "$port"
    printf 'header = "Authorization: Bearer %s"\nheader = "Content-Type: application/x-ndjson"\n' "$token"
    printf 'data-binary = "@%s"\noutput = "%s/%s-%s"\n' "${bodies[$i]}" "$answers" "$r" "$t"
    printf 'write-out = "%%{http_code} %%{time_total}\\n"\nretry = 20\n'
  done
}
