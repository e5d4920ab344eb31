#!/usr/bin/env python3
# SPDX-License-Identifier: EUPL-1.2
"""Every source and build file of vigie names its licence in an SPDX line near its top.

    tools/spdx.py [--check] [ROOT]   lists the files without one; exit 1 when there is any
    tools/spdx.py --fix [ROOT]       writes `SPDX-License-Identifier: EUPL-1.2` into them
    tools/spdx.py --self-test        plants files in a temporary tree and fails unless
                                     --check reports them and --fix mends them once

ROOT (default: the repository holding this script) is listed with git (tracked files and
new ones git does not ignore), or walked when it is not a git work tree.

In scope: the C++ sources (.cpp .cc .hpp .h .inc, .hpp.in), the build files
(CMakeLists.txt, .cmake, Makefile) and the scripts (.py .sh, and any file whose first line
is a shebang). Out of scope, covered by LICENSE and NOTICE at the root instead: data and
documentation (rules, mappings and sample configurations in YAML, JSON, NDJSON, TSV, fuzz
seeds, Markdown), which users copy into their own deployments or which the tests feed byte
for byte, and the files in NOT_OURS below, which are not vigie's to license.

The line goes first in a C++ file (before `#pragma once`) and in a build file, after the
shebang (and a Python coding line) in a script. A line already there, with any licence
expression, is left alone, so --fix run twice changes nothing the second time.
"""
import os
import re
import subprocess
import sys
import tempfile

LICENCE = "EUPL-1.2"
HEAD_LINES = 10  # "near its top": the first lines, where REUSE and readers look for it
MARKER = re.compile(rb"SPDX-License-Identifier:[ \t]*[A-Za-z0-9(]")
SLASH_STYLE = (".cpp", ".cc", ".hpp", ".h", ".inc", ".hpp.in", ".h.in")
HASH_STYLE = (".py", ".sh", ".cmake")
HASH_NAMES = ("CMakeLists.txt", "Makefile")
PYTHON_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=]")
SKIP_DIRS = {".git"}  # and every build* folder, when walking
# Files in scope by their type that must not be marked EUPL-1.2, each with the reason.
NOT_OURS = {
    "pipeline/alerts/attack_techniques.inc":
        "generated table of MITRE ATT&CK technique ids and tactics (through pySigma); NOTICE",
}


def comment_style(path):
    """'//' or '#' for a file in scope, None for a file out of scope."""
    name = os.path.basename(path)
    if name in HASH_NAMES or name.endswith(HASH_STYLE):
        return "#"
    if name.endswith(SLASH_STYLE):
        return "//"
    if "." not in name and first_line(path).startswith(b"#!"):
        return "#"
    return None


def first_line(path):
    try:
        with open(path, "rb") as file:
            return file.readline()
    except OSError:
        return b""


def listed_files(root):
    """Repository-relative paths: git's view when root is a work tree, else a walk."""
    try:
        out = subprocess.run(
            ["git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            check=True, capture_output=True).stdout
        return sorted({p for p in out.decode("utf-8", "surrogateescape").split("\0") if p})
    except (OSError, subprocess.CalledProcessError):
        return walked_files(root)


def walked_files(root):
    paths = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not d.startswith("build")]
        for filename in filenames:
            paths.append(os.path.relpath(os.path.join(dirpath, filename), root))
    return sorted(p.replace(os.sep, "/") for p in paths)


def files_in_scope(root):
    """(path, comment style) of every file that must carry the line."""
    scoped = []
    for rel in listed_files(root):
        full = os.path.join(root, rel)
        if rel in NOT_OURS or not os.path.isfile(full) or os.path.islink(full):
            continue
        style = comment_style(full)
        if style:
            scoped.append((rel, style))
    return scoped


def has_marker(data):
    return any(MARKER.search(line) for line in data.splitlines()[:HEAD_LINES])


def insertion_index(lines, style):
    """Where the line goes: after a shebang and a Python coding line, else first."""
    index = 0
    if style == "#" and lines and lines[0].startswith(b"#!"):
        index = 1
    if style == "#" and len(lines) > index and PYTHON_CODING.match(lines[index]):
        index += 1
    return index


def with_marker(data, style):
    """The file's bytes with the SPDX line inserted; line endings follow the file's own."""
    lines = data.splitlines(keepends=True)
    newline = b"\r\n" if lines and lines[0].endswith(b"\r\n") else b"\n"
    index = insertion_index(lines, style)
    if index > 0 and not lines[index - 1].endswith((b"\n", b"\r")):
        lines[index - 1] += newline  # a script that is only a shebang without a newline
    marker = f"{style} SPDX-License-Identifier: {LICENCE}".encode() + newline
    return b"".join(lines[:index] + [marker] + lines[index:])


def missing(root):
    """(path, style) of the files in scope without the line near their top."""
    result = []
    for rel, style in files_in_scope(root):
        with open(os.path.join(root, rel), "rb") as file:
            if not has_marker(file.read()):
                result.append((rel, style))
    return result


def check(root):
    scoped = files_in_scope(root)
    lacking = missing(root)
    for rel, _ in lacking:
        print(f"{rel}: no SPDX-License-Identifier line in its first {HEAD_LINES} lines")
    if lacking:
        print(f"spdx: {len(lacking)} of {len(scoped)} source files lack an SPDX line "
              f"(tools/spdx.py --fix adds `SPDX-License-Identifier: {LICENCE}`)")
        return 1
    print(f"spdx: all {len(scoped)} source files carry an SPDX line")
    return 0


def fix(root):
    lacking = missing(root)
    for rel, style in lacking:
        full = os.path.join(root, rel)
        with open(full, "rb") as file:
            data = file.read()
        mode = os.stat(full).st_mode
        with open(full, "wb") as file:
            file.write(with_marker(data, style))
        os.chmod(full, mode)
        print(f"{rel}: added `{style} SPDX-License-Identifier: {LICENCE}`")
    print(f"spdx: {len(lacking)} files changed")
    return 0


# --self-test: each planted file, what --check must say of it, and its bytes after --fix.
PLANTED = {
    "core/a.hpp": (b"#pragma once\n// Purpose.\n", b"// SPDX-License-Identifier: EUPL-1.2\n"
                   b"#pragma once\n// Purpose.\n"),
    "core/a.cpp": (b"#include \"core/a.hpp\"\r\nint a;\r\n",
                   b"// SPDX-License-Identifier: EUPL-1.2\r\n#include \"core/a.hpp\"\r\nint a;\r\n"),
    "tools/x.py": (b"#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n\"\"\"Doc.\"\"\"\n",
                   b"#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n"
                   b"# SPDX-License-Identifier: EUPL-1.2\n\"\"\"Doc.\"\"\"\n"),
    "tests/t.sh": (b"#!/usr/bin/env bash\nset -eu\n",
                   b"#!/usr/bin/env bash\n# SPDX-License-Identifier: EUPL-1.2\nset -eu\n"),
    ".ci/run": (b"#!/bin/sh", b"#!/bin/sh\n# SPDX-License-Identifier: EUPL-1.2\n"),
    "core/CMakeLists.txt": (b"add_library(a a.cpp)\n",
                            b"# SPDX-License-Identifier: EUPL-1.2\nadd_library(a a.cpp)\n"),
    "core/empty.h": (b"", b"// SPDX-License-Identifier: EUPL-1.2\n"),
}
UNTOUCHED = {  # already marked, or out of scope: --check is silent and --fix leaves them be
    "core/marked.hpp": b"// SPDX-License-Identifier: MIT\n#pragma once\n",
    "cmake/marked.cmake": b"# Purpose.\n#\n# SPDX-License-Identifier: EUPL-1.2\n",
    "rules/r.yml": b"title: a rule\n",
    "samples/s.json": b"{}\n",
    "docs/notes": b"plain text, no shebang\n",
    "pipeline/alerts/attack_techniques.inc": b"{\"T1001\", 0x1000},\n",
}


def self_test():
    failures = []
    with tempfile.TemporaryDirectory() as root:
        for rel, data in [(r, d[0]) for r, d in PLANTED.items()] + list(UNTOUCHED.items()):
            os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
            with open(os.path.join(root, rel), "wb") as file:
                file.write(data)
        reported = sorted(rel for rel, _ in missing(root))
        if reported != sorted(PLANTED):
            failures.append(f"--check reported {reported}, expected {sorted(PLANTED)}")
        if check(root) != 1:
            failures.append("--check exited 0 with files lacking the line")
        fix(root)
        after_first = snapshot(root)
        for rel, (_, expected) in PLANTED.items():
            if after_first[rel] != expected:
                failures.append(f"--fix wrote {after_first[rel]!r} into {rel}, expected {expected!r}")
        for rel, data in UNTOUCHED.items():
            if after_first[rel] != data:
                failures.append(f"--fix changed {rel}, which it must leave alone")
        fix(root)
        if snapshot(root) != after_first:
            failures.append("a second --fix changed files (not idempotent)")
        if check(root) != 0:
            failures.append("--check still fails after --fix")
    for failure in failures:
        print(f"self-test: {failure}", file=sys.stderr)
    print("spdx self-test: " + ("FAILED" if failures else "passed"))
    return 1 if failures else 0


def snapshot(root):
    contents = {}
    for rel in walked_files(root):
        with open(os.path.join(root, rel), "rb") as file:
            contents[rel] = file.read()
    return contents


def main(argv):
    args = argv[1:]
    mode = "--check"
    if args and args[0] in ("--check", "--fix", "--self-test"):
        mode = args.pop(0)
    if mode == "--self-test" and not args:
        return self_test()
    if len(args) > 1 or (args and args[0].startswith("-")) or mode == "--self-test":
        print(__doc__, file=sys.stderr)
        return 2
    root = args[0] if args else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if not os.path.isdir(root):
        print(f"spdx: {root}: not a directory", file=sys.stderr)
        return 2
    return fix(root) if mode == "--fix" else check(root)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
