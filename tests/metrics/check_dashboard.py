#!/usr/bin/env python3
# SPDX-License-Identifier: EUPL-1.2
"""Checks a Grafana dashboard against a /metrics exposition: valid JSON, a Prometheus
datasource variable, and every vigie_ metric its queries name is exposed.

usage: check_dashboard.py DASHBOARD.json METRICS.txt
"""
import json
import re
import sys


def strings(node):
    """Every string in the JSON tree: queries hide in targets, variables and panels."""
    if isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)
    elif isinstance(node, str):
        yield node


def main():
    dashboard_path, metrics_path = sys.argv[1], sys.argv[2]
    try:
        with open(dashboard_path, encoding="utf-8") as f:
            dashboard = json.load(f)
    except ValueError as e:
        print(f"{dashboard_path}: not valid JSON: {e}")
        return 1
    exposed = set()
    with open(metrics_path, encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                exposed.add(re.split(r"[{ ]", line, maxsplit=1)[0])
    failures = 0
    variables = dashboard.get("templating", {}).get("list", [])
    if not any(v.get("type") == "datasource" and v.get("query") == "prometheus" for v in variables):
        print("no Prometheus datasource variable")
        failures += 1
    queried = set()
    for text in strings(dashboard.get("panels", [])):
        queried.update(re.findall(r"\bvigie_[a-zA-Z0-9_]+", text))
    for text in strings(variables):
        queried.update(re.findall(r"\bvigie_[a-zA-Z0-9_]+", text))
    if not queried:
        print("the dashboard queries no vigie_ metric")
        failures += 1
    for name in sorted(queried - exposed):
        print(f"queried but not exposed: {name}")
        failures += 1
    print(f"{len(queried)} metric names queried, {len(queried & exposed)} exposed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
