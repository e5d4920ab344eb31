#!/usr/bin/env python3
# SPDX-License-Identifier: EUPL-1.2
"""Issue 19 item 9: the settings reference cannot drift from the reader.

README says samples/vigie.yaml documents every `vigie serve` setting. This reads the keys
the configuration reader knows (settings_keys.py walks its key tables through `vigie config
check`) and checks that:
  - samples/vigie.yaml names every one of them (a commented-out example counts: the sample
    shows optional sections such as alert outputs that way), and names no key the reader
    does not know;
  - samples/vigie.yaml, as it is, passes `vigie config check`;
  - README's configuration section names every top-level section.
Usage: item09_settings_documented.py VIGIE SOURCE_DIR
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import settings_keys  # noqa: E402

KEY_LINE = re.compile(r"^(\s*)(- )?([a-z][a-z0-9_]*):(\s|$)(.*)")
FLOW_KEYS = re.compile(r"([a-z][a-z0-9_]*):\s")


def sample_keys(path):
    """Dotted key paths of a YAML file written in block style, its commented-out examples
    included ("# key: value" lines, aligned as if the "# " were not there)."""
    keys = set()
    stack = []  # (column, path, is_list)
    for raw in open(path, encoding="utf-8"):
        line = raw.rstrip("\n")
        bare = re.match(r"^(\s*)# ?(.*)$", line)
        if bare:
            line = bare.group(1) + bare.group(2)
        m = KEY_LINE.match(line)
        if not m:
            continue
        column = len(m.group(1)) + (2 if m.group(2) else 0)
        while stack and stack[-1][0] >= column:
            stack.pop()
        if m.group(2) and stack:  # "- key:" starts an item of the list above
            stack[-1] = (stack[-1][0], stack[-1][1], True)
        parent = (stack[-1][1] + ("[]" if stack[-1][2] else "")) if stack else ""
        path_here = (parent + "." if parent else "") + m.group(3)
        keys.add(path_here)
        value = m.group(5)
        flow = re.match(r"^\[?\{([^}]*)\}", value.strip())
        if flow:  # key: {a: 1, b: 2} or key: [{a: 1}]
            item = "[]" if value.strip().startswith("[") else ""
            keys.update(path_here + item + "." + k for k in FLOW_KEYS.findall(flow.group(1) + " "))
        stack.append((column, path_here, False))
    return keys


def readme_sections(readme):
    text = open(readme, encoding="utf-8").read()
    start = text.index("**The `vigie serve` configuration**")
    return text[start:text.index("\n## ", start)]


def main():
    vigie, source = sys.argv[1], sys.argv[2]
    sample = os.path.join(source, "samples", "vigie.yaml")
    root = settings_keys.known_keys(vigie, [])
    if not root:
        sys.exit("FAIL: the reader did not list its keys")
    known = set()
    settings_keys.walk(vigie, [], root, known)
    documented = sample_keys(sample)
    # A section (http, http.tls, agencies[].rate_limit) is named by the settings under it.
    documented = {k for k in documented
                  if not any(s.startswith(k + ".") or s.startswith(k + "[]") for s in known)}
    failures = 0

    def fail(message):
        nonlocal failures
        failures += 1
        print("FAIL: " + message)

    print(f"the reader knows {len(known)} settings; samples/vigie.yaml names {len(documented)}")
    for key in sorted(known - documented):
        fail(f"setting {key} is not in samples/vigie.yaml")
    for key in sorted(documented - known):
        fail(f"samples/vigie.yaml names {key}, which the reader does not know")
    check = subprocess.run([vigie, "config", "check", sample], capture_output=True, text=True,
                           cwd=source)
    if check.returncode != 0:
        fail("samples/vigie.yaml does not pass vigie config check:\n" + check.stdout + check.stderr)
    section = readme_sections(os.path.join(source, "README.md"))
    for top in root:
        if f"`{top}`" not in section:
            fail(f"README's configuration section does not name `{top}`")
    print(f"{failures} failures")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
