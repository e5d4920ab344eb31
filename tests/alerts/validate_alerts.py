#!/usr/bin/env python3
# SPDX-License-Identifier: EUPL-1.2
"""Validates alert files (one JSON alert a line, every line: a blank, cut or non-JSON line
is a problem, not something to skip) against a JSON Schema:
usage  validate_alerts.py SCHEMA FILE... [--min N]
Exit 0 when every line validates and at least N alerts were seen (default 1). OCSF alerts
are checked against the official OCSF definitions by ocsf_validate.py instead."""
import json
import sys

import jsonschema


def main(argv):
    min_alerts = 1
    if "--min" in argv:
        i = argv.index("--min")
        min_alerts = int(argv[i + 1])
        del argv[i:i + 2]
    schema_path, files = argv[1], argv[2:]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    validator = jsonschema.Draft202012Validator(schema)
    seen = bad = 0
    for path in files:
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                seen += 1
                if not line.strip():
                    print(f"{path}:{number}: an empty line, not an alert")
                    bad += 1
                    continue
                try:
                    alert = json.loads(line)
                except json.JSONDecodeError as e:
                    print(f"{path}:{number}: not JSON: {e}")
                    bad += 1
                    continue
                for error in validator.iter_errors(alert):
                    where = "/".join(str(p) for p in error.absolute_path) or "(top)"
                    print(f"{path}:{number}: {where}: {error.message}")
                    bad += 1
    print(f"{seen} alerts checked against {schema_path}, {bad} problems")
    if seen < min_alerts:
        print(f"expected at least {min_alerts} alerts")
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
