#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# vigie stix match: the printed observed-data ids and each exit status (0 match, 1 no match,
# 2 invalid pattern or input, 3 outside what the evaluator supports), over tests/stix/.
set -u
vigie=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../support/check_lib.sh"
data=$here/../stix
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

run() {  # run PATTERN FILE... ; sets $status, stdout in $out, stderr in $err
  local pattern=$1; shift
  "$vigie" stix match --pattern "$pattern" "$@" >"$out" 2>"$err"
  status=$?
}

run "[domain-name:value = 'evil.example.com']" "$data/observations_21.json"
check "a domain matches (exit 0)" equals "$status" 0
check "match and the observed-data id" equals "$(cat "$out")" "match
observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf"

run "([domain-name:value = 'evil.example.com'] FOLLOWEDBY [network-traffic:dst_ref.value ISSUBSET '198.51.100.0/24']) WITHIN 300 SECONDS" \
  "$data/observations_21.json" "$data/observations_20.json"
check "FOLLOWEDBY over two files (exit 0)" equals "$status" 0
check "both observed-data, in input order" equals "$(cat "$out")" "match
observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf
observed-data--6e5f6f1d-4d58-4d9b-a6ea-1c1b7e2d8a11"

run "[file:parent_directory_ref.path = 'C:\\\\Users\\\\Public'] AND [network-traffic:dst_port = 443] REPEATS 3 TIMES" \
  "$data/observations_21.json" "$data/observations_20.json"
check "a STIX 2.0 observed-data and number_observed 3 (exit 0)" equals "$status" 0
check "the 2.0 and the repeated observed-data" equals "$(cat "$out")" "match
observed-data--6e5f6f1d-4d58-4d9b-a6ea-1c1b7e2d8a11
observed-data--0f2c6c8e-6a1c-4c51-9a0d-2b3c4d5e6f70"

run "[network-traffic:dst_port = 443] REPEATS 4 TIMES" "$data/observations_21.json"
check "too few repetitions: no match (exit 1)" equals "$status" 1
check "no match is printed" equals "$(cat "$out")" "no match"

run "([domain-name:value = 'evil.example.com'] FOLLOWEDBY [network-traffic:dst_port = 443]) WITHIN 60 SECONDS" "$data/observations_21.json"
check "outside WITHIN: no match (exit 1)" equals "$status" 1

run "[domain-name:value = 'evil.example.com'" "$data/observations_21.json"
check "an invalid pattern exits 2" equals "$status" 2
check "with the column and the reason" has "$err" "column 40: expected ']' to close the observation expression opened at column 1, found end of pattern"
check "and nothing on stdout" equals "$(cat "$out")" ""

run "[domain-name:value = 'x']" "$data/bad.json"
check "bad JSON exits 2" equals "$status" 2
check "naming the file" has "$err" "bad.json: invalid JSON"

run "[domain-name:value = 'x']" "$data/absent.json"
check "a missing file exits 2" equals "$status" 2
check "naming it" has "$err" "absent.json: cannot be read"

run "[ipv4-addr:value ISSUBSET 'example.com']" "$data/observations_21.json"
check "ISSUBSET on a name is unsupported (exit 3)" equals "$status" 3
check "naming the part" has "$err" "unsupported: column 18: ISSUBSET on a constant that is not an IP address or CIDR network"
check "neither match nor no match is printed" equals "$(cat "$out")" ""

echo "stix match: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
