// SPDX-License-Identifier: EUPL-1.2
#include "federation/stix/tlp_granular.hpp"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/input_limits.hpp"
#include "core/result.hpp"
#include "federation/stix/timestamp.hpp"

namespace vigie::stix {
namespace {

namespace dom = simdjson::dom;

// One step of a selector: a property name, or a list index ("[2]").
struct Step {
    std::string key;
    int64_t index = -1;  // >= 0: a list index
    bool operator==(const Step&) const = default;
};
using Path = std::vector<Step>;

struct GranularEntry {
    std::vector<Path> selectors;
    std::optional<Tlp> tlp;  // set for a TLP marking_ref (the others are kept as they are)
    std::string marking_ref;
    std::string lang;
};

// Properties an object cannot go without: redacting one would send an invalid object, so
// the object is withheld instead. The common ones, and those of the types vigie handles.
bool required_property(std::string_view type, std::string_view key) {
    static constexpr std::array<std::string_view, 7> kCommon{"type",
                                                             "id",
                                                             "spec_version",
                                                             "created",
                                                             "modified",
                                                             "object_marking_refs",
                                                             "granular_markings"};
    struct TypeRequired {
        std::string_view type;
        std::string_view key;
    };
    static constexpr std::array<TypeRequired, 20> kTyped{{
        {"indicator", "pattern"},
        {"indicator", "pattern_type"},
        {"indicator", "valid_from"},
        {"sighting", "sighting_of_ref"},
        {"relationship", "relationship_type"},
        {"relationship", "source_ref"},
        {"relationship", "target_ref"},
        {"malware", "is_family"},
        {"attack-pattern", "name"},
        {"campaign", "name"},
        {"course-of-action", "name"},
        {"identity", "name"},
        {"intrusion-set", "name"},
        {"threat-actor", "name"},
        {"tool", "name"},
        {"vulnerability", "name"},
        {"report", "object_refs"},
        {"note", "object_refs"},
        {"grouping", "object_refs"},
        {"observed-data", "number_observed"},
    }};
    if (std::find(kCommon.begin(), kCommon.end(), key) != kCommon.end()) return true;
    return std::any_of(kTyped.begin(), kTyped.end(),
                       [&](const TypeRequired& r) { return r.type == type && r.key == key; });
}

void append_string(std::string& out, std::string_view s) {
    out += '"';
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            static constexpr char kHex[] = "0123456789abcdef";
            out += "\\u00";
            out += kHex[u >> 4];
            out += kHex[u & 15];
        } else {
            out += c;
        }
    }
    out += '"';
}

// "kill_chain_phases.[0].phase_name" -> steps; nullopt when malformed or deeper than the
// nesting limit.
std::optional<Path> parse_selector(std::string_view selector) {
    Path path;
    size_t start = 0;
    while (start <= selector.size()) {
        size_t dot = selector.find('.', start);
        if (dot == std::string_view::npos) dot = selector.size();
        std::string_view part = selector.substr(start, dot - start);
        if (part.empty() || path.size() >= input_limits().max_nesting_depth) return std::nullopt;
        Step step;
        if (part.front() == '[' && part.back() == ']' && part.size() > 2 && part.size() < 12) {
            step.index = 0;
            for (char c : part.substr(1, part.size() - 2)) {
                if (c < '0' || c > '9') return std::nullopt;
                step.index = step.index * 10 + (c - '0');
            }
        } else {
            step.key = std::string(part);
        }
        path.push_back(std::move(step));
        start = dot + 1;
    }
    return path;
}

bool resolves(dom::element at, const Path& path) {
    for (const Step& step : path) {
        if (step.index >= 0) {
            dom::array list;
            if (at.get_array().get(list) != simdjson::SUCCESS ||
                static_cast<size_t>(step.index) >= list.size())
                return false;
            at = list.at(static_cast<size_t>(step.index)).value_unsafe();
        } else if (at.get_object()[step.key].get(at) != simdjson::SUCCESS) {
            return false;
        }
    }
    return true;
}

// An object's markings, read once: its TLP and its granular entries.
struct Markings {
    Tlp object = Tlp::Red;
    std::vector<GranularEntry> entries;
    std::string problem;  // set: unreadable or unresolvable (fail closed)

    // The level of the property at `path`: the object's, raised by every TLP marking on it,
    // on what contains it or on anything inside it.
    [[nodiscard]] Tlp level_of(const Path& path) const {
        Tlp level = object;
        for (const auto& e : entries) {
            if (!e.tlp) continue;
            for (const auto& s : e.selectors) {
                const size_t n = std::min(s.size(), path.size());
                if (std::equal(s.begin(), s.begin() + static_cast<ptrdiff_t>(n), path.begin()))
                    level = std::max(level, *e.tlp);
            }
        }
        return level;
    }
};

// `budget`: the selectors that may still be resolved (input_limits), spent here.
Status read_entry(dom::element element, dom::element root, GranularEntry& entry, size_t& budget) {
    dom::object o;
    dom::array selectors;
    if (element.get_object().get(o) != simdjson::SUCCESS ||
        o["selectors"].get_array().get(selectors) != simdjson::SUCCESS || selectors.size() == 0)
        return Error{"granular_markings: an entry without a list of selectors"};
    std::string_view text;
    if (o["marking_ref"].get_string().get(text) == simdjson::SUCCESS) {
        entry.marking_ref = std::string(text);
        entry.tlp = tlp_of_marking(text);
    }
    if (o["lang"].get_string().get(text) == simdjson::SUCCESS) entry.lang = std::string(text);
    if (entry.marking_ref.empty() && entry.lang.empty())
        return Error{"granular_markings: an entry with neither marking_ref nor lang"};
    for (dom::element s : selectors) {
        if (budget-- == 0)
            return Error{"granular_markings: more than " +
                         std::to_string(input_limits().max_granular_selectors) + " selectors"};
        std::string_view selector;
        std::optional<Path> path;
        if (s.get_string().get(selector) == simdjson::SUCCESS) path = parse_selector(selector);
        if (!path || !resolves(root, *path))
            return Error{"granular_markings: selector '" + std::string(selector) +
                         "' does not resolve in the object"};
        entry.selectors.push_back(std::move(*path));
    }
    return {};
}

Markings read_markings(dom::object object, dom::element root, Tlp default_tlp) {
    Markings m;
    dom::element refs;
    if (object["object_marking_refs"].get(refs) == simdjson::SUCCESS) {
        dom::array list;
        std::vector<std::string> ids;
        if (refs.get_array().get(list) != simdjson::SUCCESS)
            return (m.problem = "object_marking_refs is not a list"), m;
        for (dom::element ref : list) {
            std::string_view id;
            if (ref.get_string().get(id) != simdjson::SUCCESS)
                return (m.problem = "object_marking_refs holds a non-string"), m;
            ids.emplace_back(id);
        }
        m.object = strictest_tlp(ids).value_or(default_tlp);
    } else {
        m.object = default_tlp;
    }
    dom::element granular;
    if (object["granular_markings"].get(granular) != simdjson::SUCCESS) return m;
    dom::array list;
    if (granular.get_array().get(list) != simdjson::SUCCESS)
        return (m.problem = "granular_markings is not a list"), m;
    size_t budget = input_limits().max_granular_selectors;
    for (dom::element e : list) {
        GranularEntry entry;
        if (auto read = read_entry(e, root, entry, budget); !read)
            return (m.problem = read.error().message), m;
        m.entries.push_back(std::move(entry));
    }
    return m;
}

// A path as one string, to look removed paths up by their text. '\x1f' separates the
// steps (it is in no property name a selector can write: selectors split on '.').
std::string path_key(const Path& path, size_t steps) {
    std::string key;
    for (size_t i = 0; i < steps; ++i) {
        key += path[i].index >= 0 ? "[" + std::to_string(path[i].index) + "]" : path[i].key;
        key += '\x1f';
    }
    return key;
}

// Writes an object without the properties at `removals` (paths of property names under
// `at`, at depth `depth`); a nested object left empty is removed as well. Every path
// removed is added to `removed`. False when the object ended empty. The removals are
// grouped by property first, so that many keys and many selectors cost their sum.
bool write_without(dom::object object, const std::vector<const Path*>& removals, size_t depth,
                   Path& at, std::vector<Path>& removed, std::string& out) {
    std::unordered_map<std::string_view, std::vector<const Path*>> by_key;
    for (const Path* r : removals) by_key[(*r)[depth].key].push_back(r);
    out += '{';
    bool any = false;
    for (auto [key, value] : object) {
        const auto found = by_key.find(key);
        const std::vector<const Path*>* below = found == by_key.end() ? nullptr : &found->second;
        bool remove_here = false;
        if (below != nullptr)
            remove_here = std::any_of(below->begin(), below->end(),
                                      [&](const Path* r) { return r->size() == depth + 1; });
        at.push_back({std::string(key), -1});
        std::string written;
        dom::object inner;
        if (!remove_here && below != nullptr && value.get_object().get(inner) == simdjson::SUCCESS)
            remove_here = !write_without(inner, *below, depth + 1, at, removed, written);
        else if (!remove_here)
            written = simdjson::minify(value);
        if (remove_here) {
            removed.push_back(at);
        } else {
            if (any) out += ',';
            append_string(out, key);
            out += ':';
            out += written;
            any = true;
        }
        at.pop_back();
    }
    out += '}';
    return any;
}

void write_selector(std::string& out, const Path& path) {
    std::string text;
    for (const Step& s : path) {
        if (!text.empty()) text += '.';
        text += s.index >= 0 ? "[" + std::to_string(s.index) + "]" : s.key;
    }
    append_string(out, text);
}

// The granular_markings the peer receives: the entries it may receive, without the
// selectors of what was removed; "" when none is left.
std::string kept_granular_markings(const Markings& m, const PeerClearance& peer,
                                   const std::vector<Path>& removed) {
    std::unordered_set<std::string> gone;
    for (const auto& r : removed) gone.insert(path_key(r, r.size()));
    auto removed_under = [&](const Path& s) {
        for (size_t n = 1; n <= s.size(); ++n)
            if (gone.count(path_key(s, n)) > 0) return true;
        return false;
    };
    std::string out;
    for (const auto& e : m.entries) {
        if (e.tlp && !tlp_may_leave(std::max(*e.tlp, m.object), peer)) continue;
        std::vector<const Path*> kept;
        for (const auto& s : e.selectors)
            if (!removed_under(s)) kept.push_back(&s);
        if (kept.empty()) continue;
        out += out.empty() ? "[{" : ",{";
        if (!e.marking_ref.empty()) {
            out += R"("marking_ref":)";
            append_string(out, e.marking_ref);
            out += ',';
        }
        if (!e.lang.empty()) {
            out += R"("lang":)";
            append_string(out, e.lang);
            out += ',';
        }
        out += R"("selectors":[)";
        for (size_t i = 0; i < kept.size(); ++i) {
            if (i > 0) out += ',';
            write_selector(out, *kept[i]);
        }
        out += "]}";
    }
    return out.empty() ? out : out + "]";
}

// The paths to remove for `peer`: a selector through a list removes its whole top-level
// property (removing an element would shift the indices other selectors name).
std::vector<Path> removals_for(const Markings& m, const PeerClearance& peer) {
    std::vector<Path> out;
    for (const auto& e : m.entries) {
        if (!e.tlp || tlp_may_leave(std::max(*e.tlp, m.object), peer)) continue;
        for (const auto& s : e.selectors) {
            const bool through_list =
                std::any_of(s.begin(), s.end(), [](const Step& st) { return st.index >= 0; });
            out.push_back(through_list ? Path{s.front()} : s);
        }
    }
    return out;
}

struct Parsed {
    dom::parser parser;
    dom::element root;
    dom::object object;
    bool ok = false;
};

void parse(Parsed& p, std::string_view json) {
    p.ok = p.parser.parse(json.data(), json.size()).get(p.root) == simdjson::SUCCESS &&
           p.root.get_object().get(p.object) == simdjson::SUCCESS;
}

Disclosure withheld(std::string reason) {
    return {true, {}, std::move(reason)};
}

}  // namespace

Disclosure disclose(std::string_view json, Tlp default_tlp, const PeerClearance& peer) {
    thread_local Parsed p;
    parse(p, json);
    if (!p.ok) return withheld("not a JSON object");
    const Markings m = read_markings(p.object, p.root, default_tlp);
    if (!m.problem.empty()) return withheld(m.problem);
    if (!tlp_may_leave(m.object, peer)) return withheld(std::string(tlp_name(m.object)));
    if (m.entries.empty()) return {false, std::string(json), {}};  // as stored (minified)
    const std::vector<Path> removals = removals_for(m, peer);
    std::vector<const Path*> pointers;
    pointers.reserve(removals.size() + 1);
    for (const auto& r : removals) pointers.push_back(&r);
    const Path granular{{"granular_markings", -1}};
    pointers.push_back(&granular);  // rewritten below, after what it names is known
    std::vector<Path> removed;
    Path at;
    Disclosure d{false, {}, {}};
    write_without(p.object, pointers, 0, at, removed, d.json);
    std::string_view type;
    if (p.object["type"].get_string().get(type) != simdjson::SUCCESS) type = {};
    for (const auto& r : removed) {
        if (r.size() == 1 && r.front().key != "granular_markings" &&
            required_property(type, r.front().key))
            return withheld("the required property " + r.front().key + " is marked " +
                            std::string(tlp_name(m.level_of(r))));
    }
    const std::string kept = kept_granular_markings(m, peer, removed);
    if (!kept.empty()) {
        d.json.pop_back();  // '}'
        d.json += d.json.size() > 1 ? R"(,"granular_markings":)" : R"("granular_markings":)";
        d.json += kept + "}";
    }
    return d;
}

MarkingSummary summarize_markings(std::string_view json, Tlp default_tlp) {
    MarkingSummary s;
    thread_local Parsed p;
    parse(p, json);
    if (!p.ok) return (s.problem = "not a JSON object"), s;
    const Markings m = read_markings(p.object, p.root, default_tlp);
    if (!m.problem.empty()) return (s.problem = m.problem), s;
    s.object = s.required = m.object;
    std::string_view type;
    if (p.object["type"].get_string().get(type) != simdjson::SUCCESS) type = {};
    for (const auto& e : m.entries) {
        if (!e.tlp) continue;
        for (const auto& sel : e.selectors)
            if (required_property(type, sel.front().key)) s.required = std::max(s.required, *e.tlp);
    }
    s.name = std::max(s.required, m.level_of({{"name", -1}}));
    s.confidence = std::max(s.required, m.level_of({{"confidence", -1}}));
    return s;
}

std::string as_revocation(std::string_view json, int64_t modified_us) {
    thread_local Parsed p;
    parse(p, json);
    if (!p.ok) return {};
    const Path revoked{{"revoked", -1}};
    const Path modified{{"modified", -1}};
    std::vector<Path> removed;
    Path at;
    std::string out;
    const bool any = write_without(p.object, {&revoked, &modified}, 0, at, removed, out);
    out.pop_back();
    if (any) out += ',';
    out += R"("modified":")" + format_timestamp(modified_us, true) + R"(","revoked":true})";
    return out;
}

}  // namespace vigie::stix
