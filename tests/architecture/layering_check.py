#!/usr/bin/env python3
# SPDX-License-Identifier: EUPL-1.2
"""The layering of vigie (docs/architecture.md), checked over the source tree.

Reads every vigie_library(<name> <folder> ... PUBLIC/PRIVATE <libs>) call in the tree's
CMakeLists.txt files, then fails when
  - a library links a library of a higher layer (LAYERS below, bottom up), or its
    links between folders of one layer form a cycle;
  - a file includes ("#include "<folder>/...") a header of a folder its library does not
    link, directly or through the libraries it links;
  - a source folder belongs to no layer.
The build refuses the same includes ("file not found", cmake/VigieLayers.cmake); this check
says which edge is wrong in words, and also covers headers no source of theirs includes.

--self-test builds a small tree with a wrong-way include, an upward link and a cycle, and
fails unless each one is reported.
"""
import os
import re
import sys
import tempfile

# Bottom up. A library may link libraries of its own layer (without a cycle) or of a lower one.
LAYERS = [
    ("core", ["core"]),
    ("detection", ["detector", "ingest"]),
    ("pipeline", ["pipeline/alerts", "pipeline/scan", "pipeline/engine"]),
    ("delivery and federation", ["delivery/spool", "delivery/outputs", "federation/stix",
                                 "federation/indicators", "federation/misp", "federation/taxii",
                                 "federation/sharing"]),
    ("service", ["service/agencies", "service/http", "service/nats"]),
    ("metrics", ["metrics"]),
    ("app", ["app/config", "app"]),
]
# Folders that are not libraries of the product: they may include any layer.
CONSUMERS = ["tests", "fuzz", "bench"]
SKIP = {"build", "build-asan", "build-fuzz", ".git", "rules", "samples", "docs"}
LIBRARY_CALL = re.compile(r"vigie_library\(\s*(\w+)\s+([\w/]+)(.*?)\)\s*$", re.S | re.M)
INCLUDE = re.compile(r'^\s*#\s*include\s+"([\w.-]+(?:/[\w.-]+)+)"', re.M)


def layer_rank():
    return {folder: i for i, (_, folders) in enumerate(LAYERS) for folder in folders}


def read_libraries(root):
    """name -> (folder, [linked vigie libraries])"""
    libs = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP]
        if "CMakeLists.txt" not in filenames:
            continue
        text = open(os.path.join(dirpath, "CMakeLists.txt"), encoding="utf-8").read()
        text = re.sub(r"#[^\n]*", "", text)
        for m in LIBRARY_CALL.finditer(text):
            deps = re.findall(r"\bvigie_\w+", m.group(3))
            libs[m.group(1)] = (m.group(2), deps)
    return libs


def visible_folders(libs):
    """folder -> folders its library sees (its own and everything it links, transitively)"""
    by_name = {name: folder for name, (folder, _) in libs.items()}
    seen = {}

    def walk(name, stack):
        if name in seen:
            return seen[name]
        if name in stack:  # a link cycle is reported by check_links
            return set()
        folder, deps = libs[name]
        out = {folder}
        for dep in deps:
            if dep in libs:
                out |= walk(dep, stack | {name})
        seen[name] = out
        return out

    result = {}
    for name in libs:
        result.setdefault(by_name[name], set()).update(walk(name, frozenset()))
    return result


def check_links(libs, problems):
    rank = layer_rank()
    graph = {}
    for name, (folder, deps) in libs.items():
        if folder not in rank:
            problems.append(f"CMakeLists.txt: library {name}: folder {folder} is in no layer")
            continue
        for dep in deps:
            if dep not in libs:
                continue
            dep_folder = libs[dep][0]
            if dep_folder not in rank:
                continue
            if rank[dep_folder] > rank[folder]:
                problems.append(f"CMakeLists.txt: {name} ({folder}, layer "
                                f"'{LAYERS[rank[folder]][0]}') links {dep} ({dep_folder}), "
                                f"a higher layer '{LAYERS[rank[dep_folder]][0]}'")
            if dep_folder != folder:
                graph.setdefault(folder, set()).add(dep_folder)
    cycle = find_cycle(graph)
    if cycle:
        problems.append("CMakeLists.txt: a cycle of folders: " + " -> ".join(cycle))


def find_cycle(graph):
    state = {}

    def visit(node, path):
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt]
            if state.get(nxt) is None:
                found = visit(nxt, path + [nxt])
                if found:
                    return found
        state[node] = 2
        return None

    for node in sorted(graph):
        if state.get(node) is None:
            found = visit(node, [node])
            if found:
                return found
    return None


def folder_of(path, folders):
    """The longest library folder that holds path (relative to the root)."""
    best = None
    for folder in folders:
        if path.startswith(folder + "/") and (best is None or len(folder) > len(best)):
            best = folder
    return best


def check_includes(root, libs, problems):
    visible = visible_folders(libs)
    folders = set(visible)
    include_graph = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP]
        rel_dir = os.path.relpath(dirpath, root)
        top = rel_dir.split(os.sep)[0]
        if top in CONSUMERS or rel_dir == ".":
            continue
        for filename in filenames:
            if not filename.endswith((".cpp", ".hpp", ".inc", ".h")):
                continue
            rel = os.path.normpath(os.path.join(rel_dir, filename))
            owner = folder_of(rel, folders)
            if owner is None:
                problems.append(f"{rel}: in no library folder (no layer)")
                continue
            text = open(os.path.join(root, rel), encoding="utf-8", errors="replace").read()
            for m in INCLUDE.finditer(text):
                target = folder_of(m.group(1), folders)
                if target is None or target == owner:
                    continue
                include_graph.setdefault(owner, set()).add(target)
                if target not in visible[owner]:
                    line = text.count("\n", 0, m.start()) + 1
                    problems.append(f"{rel}:{line}: includes {m.group(1)}: {owner} may not "
                                    f"include {target} (its library does not link it)")
    cycle = find_cycle(include_graph)
    if cycle:
        problems.append("includes: a cycle of folders: " + " -> ".join(cycle))


def check(root):
    problems = []
    libs = read_libraries(root)
    if not libs:
        problems.append(f"{root}: no vigie_library() call found")
        return problems
    check_links(libs, problems)
    check_includes(root, libs, problems)
    return problems


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def self_test():
    """A clean tree passes; each planted fault is reported."""
    failures = 0
    with tempfile.TemporaryDirectory() as root:
        write(root, "core/CMakeLists.txt", "vigie_library(vigie_core core SOURCES a.cpp)\n")
        write(root, "core/a.hpp", "#pragma once\n")
        write(root, "pipeline/alerts/CMakeLists.txt",
              "vigie_library(vigie_alerts pipeline/alerts SOURCES b.cpp PUBLIC vigie_core)\n")
        write(root, "pipeline/alerts/b.hpp", '#include "core/a.hpp"\n')
        write(root, "app/CMakeLists.txt",
              "vigie_library(vigie_app app SOURCES m.cpp PUBLIC vigie_alerts)\n")
        write(root, "app/m.cpp", '#include "pipeline/alerts/b.hpp"\n')
        if check(root):
            print("self-test: FAIL: a clean tree was refused:", check(root))
            failures += 1
        cases = [
            ("core/a.hpp", '#include "pipeline/alerts/b.hpp"\n', "core may not include pipeline/alerts"),
            ("pipeline/alerts/CMakeLists.txt",
             "vigie_library(vigie_alerts pipeline/alerts SOURCES b.cpp PUBLIC vigie_core vigie_app)\n",
             "a higher layer"),
            ("pipeline/scan/CMakeLists.txt",
             "vigie_library(vigie_scan pipeline/scan SOURCES s.cpp PUBLIC vigie_alerts)\n", None),
            ("pipeline/alerts/CMakeLists.txt",
             "vigie_library(vigie_alerts pipeline/alerts SOURCES b.cpp PUBLIC vigie_core vigie_scan)\n",
             "a cycle of folders"),
            ("stray/x.cpp", "int x;\n", "in no library folder"),
        ]
        for rel, text, expected in cases:
            path = os.path.join(root, rel)
            before = open(path, encoding="utf-8").read() if os.path.exists(path) else None
            write(root, rel, text)
            if expected is None:  # a set-up step for the next case, kept
                continue
            problems = check(root)
            if not any(expected in p for p in problems):
                print(f"self-test: FAIL: planted fault in {rel} not reported "
                      f"(expected '{expected}'), got {problems}")
                failures += 1
            else:
                print(f"self-test: planted fault in {rel} reported: "
                      f"{next(p for p in problems if expected in p)}")
            if before is None:
                os.remove(path)
            else:
                write(root, rel, before)
    return failures


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--self-test":
        failures = self_test()
        print("self-test:", "FAIL" if failures else "ok")
        return 1 if failures else 0
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    problems = check(root)
    for p in problems:
        print(p)
    if problems:
        print(f"layering: {len(problems)} problem(s)")
        return 1
    libs = read_libraries(root)
    print(f"layering: ok ({len(libs)} libraries, {len(LAYERS)} layers)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
