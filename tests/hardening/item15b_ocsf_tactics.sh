#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Hardening item 15b: OCSF output gives each technique its own ATT&CK tactic(s), not the
# rule's first tactic. A real `vigie scan --format ocsf` on events matching SigmaHQ's mshta
# rule (T1218.005) and a rule whose first tactic is Command and Control.
# Usage: item15b_ocsf_tactics.sh VIGIE SIGMA_DIR
set -u
vigie=$1
sigma=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/../support/check_lib.sh"

mkdir "$work/rules"
cp "$sigma/rules/windows/process_creation/proc_creation_win_mshta_http.yml" "$work/rules/"
cat > "$work/rules/c2_first.yml" <<'YML'
title: Mshta downloads a tool
id: 22222222-2222-4222-8222-222222222222
status: test
level: high
tags: [attack.command-and-control, attack.t1105, attack.t1218.005, attack.t1053.005, attack.persistence, attack.t9999]
logsource: {product: windows, category: process_creation}
detection:
  sel:
    Image|endswith: '\mshta.exe'
  condition: sel
YML
printf '%s\n' '{"Image":"C:\\Windows\\System32\\mshta.exe","CommandLine":"mshta http://x.example/a.hta"}' \
  > "$work/events.ndjson"
"$vigie" scan --rules "$work/rules" --mapping flat --no-cache --format ocsf "$work/events.ndjson" \
  > "$work/out" 2> "$work/err"
check "scan succeeds" test $? -eq 0
check "two alerts" test "$(wc -l < "$work/out")" -eq 2
check "the alerts are valid OCSF 1.1.0" validate_ocsf "$work/out" --min 2

# technique uid -> "tactic uid name" per attack object, for one rule's alert.
attacks() {
  python3 - "$work/out" "$1" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    a = json.loads(line)
    if a["finding_info"]["analytic"]["uid"] != sys.argv[2]:
        continue
    for x in a["finding_info"]["attacks"]:
        t = x.get("tactic")
        print(x["technique"]["uid"], (t["uid"] + " " + t["name"]) if t else "-")
PY
}
attacks "$(sed -n 's/^id: //p' "$work/rules/proc_creation_win_mshta_http.yml")" > "$work/sigmahq"
attacks 22222222-2222-4222-8222-222222222222 > "$work/c2"
echo "SigmaHQ mshta rule:"; sed 's/^/  /' "$work/sigmahq"
echo "C2-first rule:"; sed 's/^/  /' "$work/c2"
check "SigmaHQ rule: T1218.005 is Defense Evasion" \
  equals "$(cat "$work/sigmahq")" "T1218.005 TA0005 Defense Evasion"
check "C2-first rule: T1105 keeps Command and Control" has "$work/c2" "T1105 TA0011 Command and Control"
check "C2-first rule: T1218.005 is Defense Evasion, not C2" \
  equals "$(grep '^T1218.005' "$work/c2")" "T1218.005 TA0005 Defense Evasion"
check "C2-first rule: T1053.005 gets the rule's tactic among its own (Persistence)" \
  equals "$(grep '^T1053.005' "$work/c2")" "T1053.005 TA0003 Persistence"
check "an unknown technique gets no tactic" equals "$(grep '^T9999' "$work/c2")" "T9999 -"
echo "$pass passed, $failures failed"
[ $failures -eq 0 ]
