#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Hardening item 10: a 22 KB rule built with YAML aliases became 400,000 patterns (12 s,
# 400 MB), and rules now arrive from peers. `vigie rules check` on such a rule beside a good
# one: the bomb is refused with a located error naming the rule and the bound
# (max_rule_nodes), the good rule still loads; the same for a rule under the node bound
# whose values pass max_rule_values. (No timing assertion: the refusal happens while the
# YAML is walked, before any pattern is built.)
# Usage: item10_alias_bomb_rules_check.sh VIGIE
set -u
vigie=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/../support/check_lib.sh"

mkdir -p "$work/rules"
cat > "$work/rules/good.yml" <<'YML'
title: Good rule
id: good-1
logsource: {product: test}
detection:
  sel:
    CommandLine|contains: whoami
  condition: sel
YML
# 1,000 values under one anchor, then 400 maps that each alias them: 30 KB of text.
python3 - "$work/rules/bomb.yml" <<'PY'
import sys
lines = ["title: Alias bomb", "id: alias-bomb-1", "logsource: {product: test}",
         "values: &v"]
lines += ["  - 'value-%05d'" % i for i in range(1000)]
lines += ["detection:", "  sel:"]
lines += ["    - CommandLine|contains: *v"] * 400
lines += ["  condition: sel"]
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY
echo "bomb: $(wc -c < "$work/rules/bomb.yml") bytes"
"$vigie" rules check --no-cache --mapping flat "$work/rules" > "$work/out" 2> "$work/err"
status=$?
cat "$work/err" "$work/out"
check "rules check fails" equals "$status" 1
check "located error naming the rule and the bound" \
  grep -qE "^$work/rules/bomb.yml:[0-9]+:[0-9]+: rule alias-bomb-1: the rule expands to more than 100000 YAML nodes once its aliases are resolved \(the bound max_rule_nodes\)" "$work/err"
check "the good rule still loads" has "$work/out" "loaded 1 of 2 rules"

# Under the node bound (30,000 values), over max_rule_values (20,000).
python3 - "$work/rules/bomb.yml" <<'PY'
import sys
lines = ["title: Wide rule", "id: wide-1", "logsource: {product: test}", "values: &v"]
lines += ["  - 'value-%05d'" % i for i in range(1000)]
lines += ["detection:", "  sel:"]
lines += ["    - CommandLine|contains: *v"] * 30
lines += ["  condition: sel"]
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY
"$vigie" rules check --no-cache --mapping flat "$work/rules" > "$work/out" 2> "$work/err"
status=$?
cat "$work/err" "$work/out"
check "rules check fails on the wide rule" equals "$status" 1
check "located error naming the rule and the value bound" \
  grep -qE "^$work/rules/bomb.yml:[0-9]+:[0-9]+: rule wide-1: the rule compiles to more than 20000 value tests \(the bound max_rule_values\)" "$work/err"
check "the good rule still loads" has "$work/out" "loaded 1 of 2 rules"
echo "$pass passed, $failures failed"
[ $failures -eq 0 ]
