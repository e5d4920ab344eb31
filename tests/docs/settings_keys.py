#!/usr/bin/env python3
# SPDX-License-Identifier: EUPL-1.2
"""Every setting `vigie serve` reads, as the configuration reader itself knows them.

The reader declares a table of keys per section (app/config/*_sections.cpp, read by the one
SchemaReader of app/config/schema.hpp) and answers an unknown key with "unknown setting PATH
(known here: KEY, KEY...)", the table's keys in its order. This walks those tables through
`vigie config check` (the binary, so what is listed is what the reader really accepts, not
what the source seems to say): a probe key in each section gives the section's keys; a probe
under each key tells a section (mapping, or list of mappings) from a value. Alert outputs are
walked once per output type. Prints one dotted path per line, lists as "[]":
    alerts.outputs[].secret_env
Usage: settings_keys.py VIGIE
"""
import json
import re
import subprocess
import sys
import tempfile

PROBE = "__probe__"
UNKNOWN = re.compile(r"unknown setting (?:\S+\.)?" + PROBE + r" \(known here: ([^)]*)\)")
TYPE_CHOICES = re.compile(r"\.type must be one of: (.*)$", re.M)


def check(vigie, document):
    with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
        f.write(json.dumps(document))  # JSON is YAML
        f.flush()
        run = subprocess.run([vigie, "config", "check", f.name], capture_output=True, text=True)
    return run.stdout + run.stderr


def nest(path, leaf):
    """The document with `leaf` at `path`: a list of keys, "[]" for a one-item list, or
    ("[]", FIELDS) for a one-item list whose item needs FIELDS (an alert output's name and
    type) beside what is probed in it."""
    for step in reversed(path):
        if isinstance(step, tuple):
            leaf = [{**step[1], **leaf}]
        else:
            leaf = [leaf] if step == "[]" else {step: leaf}
    return leaf


def known_keys(vigie, path):
    """The keys of the section at `path`, or None when it is not a section."""
    out = check(vigie, nest(path, {PROBE: 1}))
    found = UNKNOWN.search(out)
    return [k.strip() for k in found.group(1).split(",")] if found else None


def walk(vigie, path, keys, out):
    for key in keys:
        here = path + [key]
        if path and isinstance(path[-1], tuple) and key in path[-1][1]:
            out.add(dotted(here))  # a field the item is built with (an output's type, name)
            continue
        sub = known_keys(vigie, here)
        if sub is not None:
            walk(vigie, here, sub, out)
            continue
        sub = known_keys(vigie, here + ["[]"])
        if sub is not None:
            walk(vigie, here + ["[]"], sub, out)
            continue
        types = TYPE_CHOICES.search(check(vigie, nest(here + ["[]"], {"name": "p", "type": PROBE})))
        if types:  # a list of typed items (alert outputs): the keys of every type
            for kind in types.group(1).split(", "):
                item = ("[]", {"name": "p", "type": kind})
                sub = known_keys(vigie, here + [item])
                if sub:
                    walk(vigie, here + [item], sub, out)
            continue
        out.add(dotted(here))


def dotted(path):
    return ".".join("[]" if isinstance(p, tuple) else p for p in path).replace(".[]", "[]")


def main():
    vigie = sys.argv[1]
    root = known_keys(vigie, [])
    if not root:
        sys.exit("the reader did not list its keys: " + check(vigie, {PROBE: 1}))
    keys = set()
    walk(vigie, [], root, keys)
    print("\n".join(sorted(keys)))


if __name__ == "__main__":
    main()
