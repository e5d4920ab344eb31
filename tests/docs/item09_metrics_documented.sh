#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Issue 19 item 9: every metric family vigie exposes is documented in README. The families
# are read from what vigie really exposes: GET /metrics of a running vigie serve (indicators,
# a federation peer, a webhook output: their families too) and `vigie scan --metrics-file`;
# and, for the families only some deployments show (NATS), from the names the product code
# registers (every "vigie_..." string of the product's sources). vigie_ready and
# vigie_rule_evaluations_total were exposed and documented nowhere.
set -u
vigie=$1
source_dir=$2
. "$source_dir/tests/serve/serve_lib.sh"

copy_windows_rules
dead=$(free_port)
printf %s not-a-real-token > "$work/token"
cat > "$work/vigie.yaml" <<YML
rules: {paths: [$work/rules], cache_dir: $work/cache}
alerts:
  outputs:
    - {name: local, type: file, path: $work/alerts.jsonl}
    - {name: siem, type: webhook, url: "http://127.0.0.1:$dead/hook"}
spool: {directory: $work/spool}
indicators: {enabled: true, store: $work/indicators.sqlite}
federation:
  identity: identity--b0000000-0000-4000-8000-00000000000b
  peers:
    - {id: peer, url: "http://127.0.0.1:$dead/api1/", collection: 91a7b528-80eb-42ed-a74d-c6fbd5a26116, token_file: $work/token}
$(demo_agency)
YML
start_serve A "$work/vigie.yaml" || exit 1
check "events accepted" equals "$(post "$HTTP_A" demo-token "$source_dir/samples/windows-sysmon.ndjson")" 200
curl -s "http://127.0.0.1:$METRICS_A/metrics" > "$work/serve.prom"
stop_serve A
"$vigie" scan --no-cache --rules "$work/rules" --metrics-file "$work/scan.prom" \
  "$source_dir/samples/windows-sysmon.ndjson" > /dev/null 2>&1
check "vigie scan wrote its metrics" [ -s "$work/scan.prom" ]

families() { sed -nE 's/^# TYPE (vigie_[a-z_]+) .*/\1/p' "$@"; }
exposed=$(families "$work/serve.prom" "$work/scan.prom" | sort -u)
check "the scrape has families ($(wc -w <<<"$exposed"))" [ "$(wc -w <<<"$exposed")" -gt 30 ]
check "vigie serve exposes vigie_ready" grep -qx vigie_ready <<<"$exposed"
registered=$(cd "$source_dir" && grep -rhoE '"vigie_[a-z_]+"' --include=*.cpp --include=*.hpp \
  metrics serve http nats outputs app taxii indicators spool misp | tr -d '"' | sort -u)
documented() { grep -qE "\`$1(\{[^\`]*)?\`" "$source_dir/README.md"; }
for family in $(printf '%s\n%s\n' "$exposed" "$registered" | sort -u); do
  check "metric $family is documented in README" documented "$family"
done
# And the other way: README documents no family vigie does not have.
known_family() { printf '%s\n%s\n' "$exposed" "$registered" | grep -qx "$1"; }
for family in $(grep -oE '`vigie_[a-z_]+' "$source_dir/README.md" | tr -d '`' | sort -u); do
  check "README's $family is a family vigie has" known_family "$family"
done

echo "passed $pass, failed $failures"
[ "$failures" -eq 0 ]
