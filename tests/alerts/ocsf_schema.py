# SPDX-License-Identifier: EUPL-1.2
"""The official OCSF schema definitions (ocsf/ocsf-schema: events/, objects/, profiles/,
dictionary.json, categories.json), resolved the way the OCSF server compiles them: a class or
object gets its parent's attributes (`extends`), then its `$include`s (profiles and
includes), then its own; each attribute's definition is the dictionary's, overridden by the
class's or object's. Attributes that only a profile brings are marked with that profile:
they exist only in an event that declares it in metadata.profiles."""
import copy
import json
import os


class SchemaError(Exception):
    """The schema folder is incomplete or inconsistent (not the alert's fault)."""


def deep_merge(base, over):
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


class Resolved:
    """A class or object with every attribute it may hold, after `extends` and `$include`."""

    def __init__(self, name, caption, attributes, constraints, profiles, category, uid):
        self.name = name
        self.caption = caption
        self.attributes = attributes  # name -> definition (dictionary's merged in)
        self.constraints = constraints  # at_least_one / just_one -> [names]
        self.profiles = profiles  # the profiles this class or object may use
        self.category = category
        self.uid = uid


class Schema:
    def __init__(self, root, fallback_includes=None):
        self.root = root
        self.fallback_includes = fallback_includes
        self.fallbacks_used = set()
        dictionary = self._load("dictionary.json")
        self.dictionary = dictionary["attributes"]
        self.types = dictionary["types"]["attributes"]
        self.categories = self._load("categories.json")["attributes"]
        self.version = self._load("version.json")["version"]
        self.events = self._index("events")
        self.objects = self._index("objects")
        self.profile_names = {n[:-5] for n in os.listdir(os.path.join(root, "profiles"))
                              if n.endswith(".json")}
        self._resolved = {}
        self._add_observable_types()

    def _add_observable_types(self):
        """observable.type_id's enum is compiled: the file lists only 0 and 99, the types
        and objects that are observable bring their own ids (hostname_t 1, endpoint 20...)."""
        if "observable" not in self.objects:
            return
        enum = self.objects["observable"]["attributes"]["type_id"].setdefault("enum", {})
        for table in (self.types, self.objects):
            for definition in table.values():
                if "observable" in definition:
                    enum[str(definition["observable"])] = {"caption": definition.get("caption", "")}

    def _load(self, relative):
        path = os.path.join(self.root, relative)
        if not os.path.exists(path) and self.fallback_includes:
            fallback = os.path.join(self.fallback_includes, relative)
            if os.path.exists(fallback):
                self.fallbacks_used.add(relative)
                path = fallback
        try:
            with open(path, encoding="utf-8") as f:
                return json.load(f)
        except OSError as e:
            raise SchemaError(f"cannot read {relative} of the OCSF schema: {e.strerror}") from e
        except json.JSONDecodeError as e:
            raise SchemaError(f"{relative} of the OCSF schema is not JSON: {e}") from e

    def _index(self, folder):
        found = {}
        for directory, _, names in os.walk(os.path.join(self.root, folder)):
            for name in names:
                if name.endswith(".json"):
                    relative = os.path.relpath(os.path.join(directory, name), self.root)
                    definition = self._load(relative)
                    found[definition["name"]] = definition
        return found

    def event_class(self, name):
        return self._resolve(self.events, name, "class")

    def object_type(self, name):
        return self._resolve(self.objects, name, "object")

    def is_object(self, name):
        return name in self.objects

    def _resolve(self, table, name, kind):
        key = (kind, name)
        if key not in self._resolved:
            if name not in table:
                raise SchemaError(f"no OCSF {kind} named {name!r}")
            self._resolved[key] = self._build(table, table[name], kind)
        return self._resolved[key]

    def _build(self, table, raw, kind):
        attributes, constraints, profiles, category = {}, {}, set(), raw.get("category")
        if raw.get("extends"):
            parent = self._resolve(table, raw["extends"], kind)
            attributes = copy.deepcopy(parent.attributes)
            constraints = dict(parent.constraints)
            profiles = set(parent.profiles)
            category = category or parent.category
        own = raw.get("attributes", {})
        for relative in own.get("$include", []):
            included = self._load(relative)
            profile = included.get("name") if included.get("meta") == "profile" else None
            if profile:
                profiles.add(profile)
            for attr, definition in included.get("attributes", {}).items():
                was = attributes.get(attr)
                merged = deep_merge(was or {}, definition)
                if profile and (was is None or "profile" in was):
                    merged["profile"] = profile
                attributes[attr] = merged
        for attr, definition in own.items():
            if attr != "$include":
                merged = deep_merge(attributes.get(attr, {}), definition)
                merged.pop("profile", None)  # the class's own: there whatever the profiles
                attributes[attr] = merged
        constraints.update(raw.get("constraints", {}))
        profiles.update(raw.get("profiles", []))
        full = {}
        for attr, definition in attributes.items():
            if definition.get("synthetic"):  # a parent's timestamp twin, already complete
                full[attr] = definition
                continue
            if attr not in self.dictionary:
                raise SchemaError(f"{raw['name']}.{attr} is not in dictionary.json")
            full[attr] = deep_merge(self.dictionary[attr], definition)
            if full[attr].get("type") == "timestamp_t" and f"{attr}_dt" not in attributes:
                # The datetime profile gives every timestamp an RFC 3339 twin (the OCSF
                # server adds it; profiles/datetime.json lists no attribute).
                full[f"{attr}_dt"] = {"type": "datetime_t", "requirement": "optional",
                                      "profile": "datetime", "synthetic": True}
        return Resolved(raw["name"], raw.get("caption", raw["name"]), full, constraints,
                        profiles, category, raw.get("uid"))
