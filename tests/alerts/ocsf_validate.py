#!/usr/bin/env python3
# SPDX-License-Identifier: EUPL-1.2
"""Validates OCSF alerts (one JSON object a line) against the official OCSF schema
definitions, read from their folder (events/, objects/, profiles/, dictionary.json), not
against a JSON Schema of our own:

  ocsf_validate.py [--schema-dir DIR] [--class NAME] [--min N] FILE...

The schema folder is --schema-dir, else $OCSF_SCHEMA_DIR, else ../shared/specs/ocsf-1.1.0
beside the repository; when it is absent the validator says so and exits 77 (skip).
Every line must be an alert of class NAME (default detection_finding), checked through its
`extends` chain and the profiles it declares in metadata.profiles: required attributes at
every level, types (dictionary.json's types, their regex, max_len and range), enums,
sibling captions (severity for severity_id ...), objects' at_least_one / just_one
constraints, class_uid = category uid * 1000 + class uid, category_uid the class's,
type_uid = class_uid * 100 + activity_id, metadata.version the schema's. "Strict" means an
attribute the schema does not define is an error: what OCSF has no attribute for belongs
under `unmapped` (type object: anything goes).
Exit 0 when every line is valid and at least N alerts (default 1) were seen; 1 otherwise;
2 when the schema folder is broken; each problem printed as FILE:LINE: PATH: what."""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ocsf_schema import Schema, SchemaError  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_SCHEMA_DIR = os.path.join(REPO, "..", "shared", "specs", "ocsf-1.1.0")
FALLBACK_INCLUDES = os.path.join(HERE, "ocsf-1.1.0-includes")
INT_BITS = {"integer_t": 32, "long_t": 64}
OTHER = "99"  # an enum's "Other": its sibling caption is the source's own


class AlertChecker:
    def __init__(self, schema, class_name):
        self.schema = schema
        self.event = schema.event_class(class_name)
        category = schema.categories[self.event.category]
        self.category_uid = category["uid"]
        self.class_uid = self.category_uid * 1000 + self.event.uid
        attrs = self.event.attributes
        attrs["category_uid"]["enum"] = {str(self.category_uid): {"caption": category["caption"]}}
        attrs["class_uid"]["enum"] = {str(self.class_uid): {"caption": self.event.caption}}
        self.problems = []
        self.profiles = set()

    def check(self, alert):
        self.problems = []
        if not isinstance(alert, dict):
            self.fail("(top)", "not a JSON object")
            return self.problems
        declared = (alert.get("metadata") or {}).get("profiles") or []
        self.profiles = {p for p in declared if isinstance(p, str)}
        for profile in sorted(self.profiles):
            if profile not in self.event.profiles:
                known = ", ".join(sorted(self.event.profiles))
                self.fail("metadata.profiles", f"profile {profile!r} is not one of {self.event.name}'s ({known})")
        self.check_object(alert, self.event, "")
        self.check_classification(alert)
        return self.problems

    def fail(self, path, message):
        self.problems.append(f"{path or '(top)'}: {message}")

    def check_classification(self, alert):
        activity, type_uid = alert.get("activity_id"), alert.get("type_uid")
        if is_int(activity) and is_int(type_uid) and type_uid != self.class_uid * 100 + activity:
            self.fail("type_uid", f"{type_uid} is not class_uid * 100 + activity_id "
                                  f"= {self.class_uid} * 100 + {activity} = {self.class_uid * 100 + activity}")
        caption = self.event.attributes["activity_id"]["enum"].get(str(activity), {}).get("caption")
        if "type_name" in alert and caption and str(activity) != OTHER:
            expected = f"{self.event.caption}: {caption}"
            if alert["type_name"] != expected:
                self.fail("type_name", f"{alert['type_name']!r} is not {expected!r}")
        version = (alert.get("metadata") or {}).get("version")
        if isinstance(version, str) and version != self.schema.version:
            self.fail("metadata.version", f"{version!r} is not the schema's {self.schema.version!r}")

    def check_object(self, value, resolved, path):
        if not isinstance(value, dict):
            self.fail(path, f"expected a {resolved.name} object, got {json_kind(value)}")
            return
        active = {name: d for name, d in resolved.attributes.items()
                  if d.get("profile") is None or d["profile"] in self.profiles}
        for name, item in value.items():
            where = f"{path}.{name}" if path else name
            if name in active:
                self.check_attribute(item, active[name], where)
            elif name in resolved.attributes:
                self.fail(where, f"attribute of profile {resolved.attributes[name]['profile']!r}, "
                                 "which metadata.profiles does not declare")
            else:
                self.fail(where, f"unknown attribute: OCSF {self.schema.version} {resolved.name} "
                                 "defines no such attribute (put it under unmapped)")
        for name, definition in active.items():
            if definition.get("requirement") == "required" and name not in value:
                self.fail(f"{path}.{name}" if path else name, f"required attribute of {resolved.name} missing")
        self.check_constraints(value, resolved, path)
        self.check_siblings(value, active, path)

    def check_constraints(self, value, resolved, path):
        for kind, names in resolved.constraints.items():
            present = [n for n in names if n in value]
            if kind == "at_least_one" and not present:
                self.fail(path, f"{resolved.name} needs at least one of {', '.join(names)}")
            elif kind == "just_one" and len(present) != 1:
                self.fail(path, f"{resolved.name} needs exactly one of {', '.join(names)}, has {len(present)}")

    def check_siblings(self, value, active, path):
        for name, definition in active.items():
            sibling = definition.get("sibling")
            if not sibling or name not in value or sibling not in value or "enum" not in definition:
                continue
            key = str(value[name])
            caption = definition["enum"].get(key, {}).get("caption")
            if caption and key != OTHER and value[sibling] != caption:
                where = f"{path}.{sibling}" if path else sibling
                self.fail(where, f"{value[sibling]!r} is not the caption of {name} {key} ({caption!r})")

    def check_attribute(self, value, definition, path):
        if definition.get("is_array"):
            if not isinstance(value, list):
                self.fail(path, f"expected an array, got {json_kind(value)}")
                return
            for i, item in enumerate(value):
                self.check_single(item, definition, f"{path}[{i}]")
        else:
            self.check_single(value, definition, path)

    def check_single(self, value, definition, path):
        type_name = definition["type"]
        if type_name == "object":  # unmapped and the like: any object
            if not isinstance(value, dict):
                self.fail(path, f"expected an object, got {json_kind(value)}")
            return
        if self.schema.is_object(type_name):
            self.check_object(value, self.schema.object_type(type_name), path)
            return
        if not self.check_type(value, type_name, path):
            return
        enum = definition.get("enum")
        if enum is not None and str(value) not in enum:
            allowed = ", ".join(sorted(enum, key=lambda k: (len(k), k)))
            self.fail(path, f"{json.dumps(value)} is not in the enum ({allowed})")

    def check_type(self, value, type_name, path):
        """Checks a scalar against a dictionary type and the types it derives from."""
        types = self.schema.types
        if type_name not in types:
            raise SchemaError(f"{path}: type {type_name!r} is neither a type nor an object")
        chain = []
        while type_name:
            chain.append(type_name)
            type_name = types[type_name].get("type")
        base, derived = chain[-1], chain[0]
        if not base_type_holds(value, base):
            self.fail(path, f"expected {derived}, got {json_kind(value)} {json.dumps(value)[:60]}")
            return False
        for name in chain:
            rules = types[name]
            if "regex" in rules and not re.fullmatch(rules["regex"], value):
                self.fail(path, f"{json.dumps(value)[:80]} does not match {name}'s pattern")
                return False
            if "max_len" in rules and len(value) > rules["max_len"]:
                self.fail(path, f"{len(value)} characters, over {name}'s max_len {rules['max_len']}")
                return False
            if "range" in rules and not rules["range"][0] <= value <= rules["range"][1]:
                self.fail(path, f"{value} is outside {name}'s range {rules['range']}")
                return False
        return True


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def base_type_holds(value, base):
    if base in INT_BITS:
        bits = INT_BITS[base]
        return is_int(value) and -(1 << (bits - 1)) <= value < (1 << (bits - 1))
    if base == "float_t":
        return is_int(value) or isinstance(value, float)
    if base == "boolean_t":
        return isinstance(value, bool)
    if base == "string_t":
        return isinstance(value, str)
    if base == "json_t":
        return True
    raise SchemaError(f"unknown base type {base!r} in dictionary.json")


def json_kind(value):
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return {dict: "an object", list: "an array", str: "a string"}.get(type(value), "a number")


def read_lines(path):
    """The file's lines as bytes (the last alert's newline ends the file); None when unreadable."""
    try:
        with open(path, "rb") as f:
            lines = f.read().split(b"\n")
    except OSError as e:
        print(f"{path}: cannot read: {e.strerror}")
        return None
    if lines[-1] == b"":
        lines.pop()
    return lines


def line_problems(checker, raw):
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return [f"not UTF-8: {e}"]
    if not line.strip():
        return ["an empty line, not an alert"]
    try:
        alert = json.loads(line)
    except json.JSONDecodeError as e:
        return [f"not JSON: {e}"]
    return checker.check(alert)


def validate_files(checker, files):
    seen = bad = 0
    for path in files:
        lines = read_lines(path)
        if lines is None:
            bad += 1
            continue
        for number, raw in enumerate(lines, 1):
            seen += 1
            for problem in line_problems(checker, raw):
                print(f"{path}:{number}: {problem}")
                bad += 1
    return seen, bad


def parse_args(argv):
    options = {"--schema-dir": os.environ.get("OCSF_SCHEMA_DIR") or DEFAULT_SCHEMA_DIR,
               "--class": "detection_finding", "--min": "1"}
    files = []
    args = iter(argv[1:])
    for arg in args:
        if arg in options:
            options[arg] = next(args, None)
            if options[arg] is None:
                raise SystemExit(f"{arg} needs a value")
        else:
            files.append(arg)
    if not files:
        raise SystemExit(__doc__)
    return options, files


def main(argv):
    options, files = parse_args(argv)
    schema_dir = os.path.normpath(options["--schema-dir"])
    if not os.path.isfile(os.path.join(schema_dir, "dictionary.json")):
        print(f"SKIP: no OCSF schema definitions at {schema_dir} (set OCSF_SCHEMA_DIR to the "
              "folder of ocsf-schema 1.1.0: events/, objects/, dictionary.json)")
        return 77
    try:
        schema = Schema(schema_dir, FALLBACK_INCLUDES)
        checker = AlertChecker(schema, options["--class"])
        seen, bad = validate_files(checker, files)
    except SchemaError as e:
        print(f"OCSF schema at {schema_dir}: {e}")
        return 2
    for relative in sorted(schema.fallbacks_used):
        print(f"note: {schema_dir} lacks {relative}; read the v1.1.0 copy in {FALLBACK_INCLUDES}")
    print(f"{seen} alerts checked against OCSF {schema.version} {options['--class']} "
          f"({schema_dir}), {bad} problems")
    if seen < int(options["--min"]):
        print(f"expected at least {options['--min']} alerts")
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
