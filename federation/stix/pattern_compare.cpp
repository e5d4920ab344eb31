// SPDX-License-Identifier: EUPL-1.2
#include "federation/stix/pattern_compare.hpp"

#include <algorithm>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

#include "core/ip_network.hpp"
#include "federation/stix/pattern_lexer.hpp"
#include "federation/stix/timestamp.hpp"

namespace vigie::stix {
namespace {

// One value an object path selected: a JSON value, a *_refs list turned into the objects
// it names, or the bytes of a *_hex / *_bin property.
struct Selected {
    const JsonValue* json = nullptr;
    std::vector<const JsonValue*> refs;
    bool is_refs = false;
    std::optional<std::string> binary;
};

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::optional<std::string> decode_suffixed(std::string_view key, const JsonValue& v) {
    if (v.kind != JsonValue::Kind::String) return std::nullopt;
    if (ends_with(key, "_hex")) return decode_hex(v.text);
    if (ends_with(key, "_bin")) return decode_base64(v.text);
    return std::nullopt;
}

class PathWalker {
  public:
    PathWalker(const ObservedData& data, const ObservationSet& set) : data_(data), set_(set) {}

    std::vector<Selected> walk(const JsonValue& root, const ObjectPath& path) const {
        std::vector<Selected> current(1);
        current[0].json = &root;
        for (const PathStep& step : path.steps) {
            std::vector<Selected> next;
            for (const Selected& s : current) take_step(s, step, next);
            current.swap(next);
            if (current.empty()) break;
        }
        return current;
    }

  private:
    void take_step(const Selected& s, const PathStep& step, std::vector<Selected>& out) const {
        if (step.kind == PathStep::Kind::Key) {
            if (s.json == nullptr) return;
            const JsonValue* v = s.json->find(step.key);
            if (v != nullptr) dereference(step.key, *v, out);
            return;
        }
        auto push_item = [&](size_t i) {
            Selected item;
            if (s.is_refs) {
                item.json = s.refs[i];
            } else {
                item.json = &s.json->items[i];
            }
            out.push_back(std::move(item));
        };
        size_t size = 0;
        if (s.is_refs)
            size = s.refs.size();
        else if (s.json != nullptr && s.json->kind == JsonValue::Kind::Array)
            size = s.json->items.size();
        else
            return;
        if (step.kind == PathStep::Kind::AnyIndex) {
            for (size_t i = 0; i < size; ++i) push_item(i);
            return;
        }
        int64_t i = step.index < 0 ? static_cast<int64_t>(size) + step.index : step.index;
        if (i >= 0 && static_cast<size_t>(i) < size) push_item(static_cast<size_t>(i));
    }

    // A reference that does not resolve selects nothing, as in the reference matcher.
    void dereference(std::string_view key, const JsonValue& v, std::vector<Selected>& out) const {
        Selected s;
        if (ends_with(key, "_ref") && v.kind == JsonValue::Kind::String) {
            s.json = set_.resolve(data_, v.text);
            if (s.json == nullptr) return;
        } else if (ends_with(key, "_refs") && v.kind == JsonValue::Kind::Array) {
            s.is_refs = true;
            for (const JsonValue& ref : v.items)
                if (ref.kind == JsonValue::Kind::String)
                    if (const JsonValue* o = set_.resolve(data_, ref.text)) s.refs.push_back(o);
        } else {
            s.json = &v;
            s.binary = decode_suffixed(key, v);
        }
        out.push_back(std::move(s));
    }

    const ObservedData& data_;
    const ObservationSet& set_;
};

// Decodes UTF-8 to code points; a string compares with bytes only when all are < 256.
std::optional<std::string> string_as_bytes(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            out.push_back(static_cast<char>(c));
            ++i;
        } else if ((c == 0xC2 || c == 0xC3) && i + 1 < s.size()) {
            out.push_back(static_cast<char>(((c & 0x1F) << 6) | (s[i + 1] & 0x3F)));
            i += 2;
        } else {
            return std::nullopt;
        }
    }
    return out;
}

template <typename T>
int three_way(const T& a, const T& b) {
    return a < b ? -1 : (b < a ? 1 : 0);
}

// The order of a selected value against a constant, or nothing when the types do not
// compare (the reference matcher's _COMPARE_ORDER_FUNCS; equality adds booleans).
std::optional<int> compare(const Selected& v, const Constant& k, bool equality) {
    using K = Constant::Kind;
    if (v.binary || k.kind == K::Binary || k.kind == K::Hex) {
        std::optional<std::string> left = v.binary;
        if (!left && v.json != nullptr && v.json->kind == JsonValue::Kind::String)
            left = string_as_bytes(v.json->text);
        std::optional<std::string> right = k.kind == K::Binary || k.kind == K::Hex
                                               ? std::optional(k.text)
                                           : k.kind == K::String ? string_as_bytes(k.text)
                                                                 : std::nullopt;
        if (!left || !right) return std::nullopt;
        return three_way(*left, *right);
    }
    if (v.json == nullptr) return std::nullopt;
    const JsonValue& j = *v.json;
    bool j_number = j.kind == JsonValue::Kind::Int || j.kind == JsonValue::Kind::Float;
    switch (k.kind) {
        case K::String:
            if (j.kind != JsonValue::Kind::String) return std::nullopt;
            return three_way<std::string_view>(j.text, k.text);
        case K::Int:
            if (j.kind == JsonValue::Kind::Int) return three_way(j.integer, k.integer);
            if (j.kind == JsonValue::Kind::Float) return three_way(j.real, k.real);
            return std::nullopt;
        case K::Float:
            if (!j_number) return std::nullopt;
            return three_way(j.real, k.real);
        case K::Bool:
            if (!equality || j.kind != JsonValue::Kind::Bool) return std::nullopt;
            return three_way(j.boolean, k.boolean);
        case K::Timestamp: {
            if (j.kind != JsonValue::Kind::String) return std::nullopt;
            auto ts = parse_timestamp(j.text);
            if (!ts) return std::nullopt;
            return three_way(*ts, k.integer);
        }
        default:
            return std::nullopt;
    }
}

const std::string* string_value(const Selected& v) {
    if (v.binary || v.json == nullptr || v.json->kind != JsonValue::Kind::String) return nullptr;
    return &v.json->text;
}

bool network_test(const Selected& v, const Comparison& c) {
    const std::string* s = string_value(v);
    if (s == nullptr) return false;
    auto value = IpNetwork::parse(*s);
    auto constant = IpNetwork::parse(c.values.front().text);
    if (!value || !constant) return false;
    bool result =
        c.op == CompareOp::IsSubset ? constant->contains(*value) : value->contains(*constant);
    return result != c.negated;
}

// One comparison on one selected value. NOT inverts the test, except where the reference
// matcher refuses non-strings before negating (LIKE, ISSUBSET, ISSUPERSET).
bool test_value(const Selected& v, const Comparison& c, const PatternRegex* regex,
                const PatternRegex* binary_regex) {
    bool result = false;
    switch (c.op) {
        case CompareOp::Equal:
            result = compare(v, c.values.front(), true) == 0;
            break;
        case CompareOp::NotEqual:
            result = compare(v, c.values.front(), true) != 0;
            break;
        case CompareOp::Less:
        case CompareOp::LessEqual:
        case CompareOp::Greater:
        case CompareOp::GreaterEqual: {
            auto order = compare(v, c.values.front(), false);
            if (!order) break;
            result = c.op == CompareOp::Less        ? *order < 0
                     : c.op == CompareOp::LessEqual ? *order <= 0
                     : c.op == CompareOp::Greater   ? *order > 0
                                                    : *order >= 0;
            break;
        }
        case CompareOp::In:
            result = std::any_of(c.values.begin(), c.values.end(),
                                 [&](const Constant& k) { return compare(v, k, true) == 0; });
            break;
        case CompareOp::Like: {
            const std::string* s = string_value(v);
            if (s == nullptr) return false;
            const auto outcome = regex->search(*s);
            if (outcome == PatternRegex::Outcome::Undecided) return true;  // fail-closed
            result = outcome == PatternRegex::Outcome::Match;
            break;
        }
        case CompareOp::Matches: {
            const PatternRegex* re = v.binary ? binary_regex : regex;
            const std::string* subject = v.binary ? &*v.binary : string_value(v);
            const auto outcome = re != nullptr && subject != nullptr
                                     ? re->search(*subject)
                                     : PatternRegex::Outcome::NoMatch;
            if (outcome == PatternRegex::Outcome::Undecided) return true;  // fail-closed
            result = outcome == PatternRegex::Outcome::Match;
            break;
        }
        case CompareOp::IsSubset:
        case CompareOp::IsSuperset:
            return network_test(v, c);
        case CompareOp::Exists:
            result = true;
            break;
    }
    return result != c.negated;
}

bool root_passes(const Comparison& c, const JsonValue& root, const PathWalker& walker,
                 const CompiledRegexes& regexes) {
    const PatternRegex* regex = regexes.find(c);
    const PatternRegex* binary_regex = regexes.find_binary(c);
    std::vector<Selected> values = walker.walk(root, c.path);
    if (c.op == CompareOp::Exists) return values.empty() == c.negated;
    return std::any_of(values.begin(), values.end(),
                       [&](const Selected& v) { return test_value(v, c, regex, binary_regex); });
}

std::vector<uint32_t> intersect(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
    std::vector<uint32_t> out;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

std::vector<uint32_t> unite(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
    std::vector<uint32_t> out;
    std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

}  // namespace

CompiledRegexes::CompiledRegexes(const Pattern& pattern) {
    collect(pattern.root);
}

void CompiledRegexes::collect(const ObservationExpr& expr) {
    if (expr.kind == ObservationExpr::Kind::Observation) collect(expr.comparison);
    for (const auto& child : expr.children) collect(child);
}

void CompiledRegexes::collect(const ComparisonExpr& expr) {
    for (const auto& child : expr.children) collect(child);
    if (expr.kind != ComparisonExpr::Kind::Leaf) return;
    const Comparison& c = expr.leaf;
    if (c.op == CompareOp::Like)
        by_comparison_[&c] = PatternRegex::from_like(c.values.front().text);
    if (c.op != CompareOp::Matches) return;
    // The parser already compiled MATCHES expressions once: a refusal cannot come here, and
    // a null regex would only never match.
    auto compiled = PatternRegex::compile(c.values.front().text);
    by_comparison_[&c] = compiled ? std::move(compiled).value() : nullptr;
    if (auto latin1 = string_as_bytes(c.values.front().text))
        binary_[&c] = PatternRegex::compile_binary(*latin1);
}

const PatternRegex* CompiledRegexes::find_binary(const Comparison& c) const {
    auto it = binary_.find(&c);
    return it == binary_.end() ? nullptr : it->second.get();
}

const PatternRegex* CompiledRegexes::find(const Comparison& c) const {
    auto it = by_comparison_.find(&c);
    return it == by_comparison_.end() ? nullptr : it->second.get();
}

std::vector<uint32_t> matching_roots(const ComparisonExpr& expr, const ObservedData& data,
                                     const ObservationSet& set, const CompiledRegexes& regexes) {
    if (expr.kind == ComparisonExpr::Kind::Leaf) {
        const Comparison& c = expr.leaf;
        const PatternRegex* regex = regexes.find(c);
        if ((c.op == CompareOp::Like || c.op == CompareOp::Matches) && regex == nullptr) return {};
        PathWalker walker(data, set);
        std::vector<uint32_t> roots;
        for (uint32_t i = 0; i < data.objects.size(); ++i) {
            const JsonValue& object = *data.objects[i].second;
            if (object.string_or("type", "") != c.path.object_type) continue;
            if (root_passes(c, object, walker, regexes)) roots.push_back(i);
        }
        return roots;
    }
    std::vector<uint32_t> acc = matching_roots(expr.children.front(), data, set, regexes);
    for (size_t i = 1; i < expr.children.size(); ++i) {
        if (expr.kind == ComparisonExpr::Kind::And && acc.empty()) break;
        auto next = matching_roots(expr.children[i], data, set, regexes);
        acc = expr.kind == ComparisonExpr::Kind::And ? intersect(acc, next) : unite(acc, next);
    }
    return acc;
}

}  // namespace vigie::stix
