// SPDX-License-Identifier: EUPL-1.2
#include "detector/predicate.hpp"

#include <algorithm>
#include <charconv>

namespace vigie {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;  // clang 14 has no aggregate deduction

bool as_number(const FieldValue& v, double& out) {
    if (v.type == ValueType::Number) {
        out = v.number;
        return true;
    }
    if (v.type != ValueType::String || v.text.empty()) return false;
    const char* end = v.text.data() + v.text.size();
    auto [ptr, ec] = std::from_chars(v.text.data(), end, out);
    return ec == std::errc() && ptr == end;
}

bool compare(CompareOp op, double lhs, double rhs) {
    switch (op) {
        case CompareOp::Greater:
            return lhs > rhs;
        case CompareOp::GreaterEqual:
            return lhs >= rhs;
        case CompareOp::Less:
            return lhs < rhs;
        case CompareOp::LessEqual:
            return lhs <= rhs;
    }
    return false;
}

bool equal_text(std::string_view a, std::string_view b, bool cased) {
    if (a.size() != b.size()) return false;
    if (cased) return a == b;
    for (size_t i = 0; i < a.size(); ++i) {
        if (fold_ascii(a[i]) != fold_ascii(b[i])) return false;
    }
    return true;
}

bool anchored_match(std::string_view value, std::string_view ref, Anchor anchor, bool cased) {
    if (ref.size() > value.size()) return false;
    switch (anchor) {
        case Anchor::Whole:
            return equal_text(value, ref, cased);
        case Anchor::StartsWith:
            return equal_text(value.substr(0, ref.size()), ref, cased);
        case Anchor::EndsWith:
            return equal_text(value.substr(value.size() - ref.size()), ref, cased);
        case Anchor::Contains:
            for (size_t i = 0; i + ref.size() <= value.size(); ++i) {
                if (equal_text(value.substr(i, ref.size()), ref, cased)) return true;
            }
            return false;
    }
    return false;
}

bool is_scalar_text(const FieldValue& v) {
    return v.type != ValueType::Null;
}

// Every predicate but a regex: decided, always.
bool decided_predicate_holds(const Predicate& p, const FieldView& view, EvalContext& ctx) {
    auto any_value = [&](auto&& test) {
        for (const FieldValue& v : view.values) {
            if (test(v)) return true;
        }
        return false;
    };
    return std::visit(
        Overloaded{
            [&](const GlobPredicate& g) {
                return any_value([&](const FieldValue& v) {
                    return is_scalar_text(v) && g.matcher.matches(v.text);
                });
            },
            [&](const RegexPredicate&) { return false; },  // predicate_matches' own
            [&](const CidrPredicate& c) {
                return any_value([&](const FieldValue& v) {
                    return v.type == ValueType::String && c.network.contains(v.text);
                });
            },
            [&](const NumberPredicate& n) {
                return any_value([&](const FieldValue& v) {
                    double d = 0;
                    return as_number(v, d) && compare(n.op, d, n.value);
                });
            },
            [&](const ExistsPredicate& e) { return view.present == e.expected; },
            [&](const NullPredicate&) {
                if (!view.present) return true;
                return !view.values.empty() &&
                       std::all_of(view.values.begin(), view.values.end(),
                                   [](const FieldValue& v) { return v.type == ValueType::Null; });
            },
            [&](const FieldRefPredicate& f) {
                if (f.other == kNone) return false;
                FieldView other = ctx.event.resolve(ctx.fields, f.other);
                return any_value([&](const FieldValue& v) {
                    for (const FieldValue& o : other.values) {
                        if (is_scalar_text(v) && is_scalar_text(o) &&
                            anchored_match(v.text, o.text, f.anchor, f.cased)) {
                            return true;
                        }
                    }
                    return false;
                });
            },
            [&](const NeverPredicate&) { return false; },
        },
        p);
}

}  // namespace

// Yes on the first value that matches; Unknown when none did but one could not be decided.
Truth predicate_matches(const Predicate& p, const FieldView& view, EvalContext& ctx) {
    const auto* r = std::get_if<RegexPredicate>(&p);
    if (r == nullptr) return decided_predicate_holds(p, view, ctx) ? Truth::Yes : Truth::No;
    Truth out = Truth::No;
    for (const FieldValue& v : view.values) {
        if (!is_scalar_text(v)) continue;
        const Truth t = r->regex->search(v.text, ctx.regex);
        if (t == Truth::Yes) return t;
        if (t == Truth::Unknown) out = t;
    }
    return out;
}

Truth predicate_matches_any(const Predicate& p, std::span<const std::string_view> strings,
                            EvalContext& ctx) {
    if (const auto* g = std::get_if<GlobPredicate>(&p)) {
        for (auto s : strings) {
            if (g->matcher.matches(s)) return Truth::Yes;
        }
        return Truth::No;
    }
    if (const auto* r = std::get_if<RegexPredicate>(&p)) {
        Truth out = Truth::No;
        for (auto s : strings) {
            const Truth t = r->regex->search(s, ctx.regex);
            if (t == Truth::Yes) return t;
            if (t == Truth::Unknown) out = t;
        }
        return out;
    }
    return Truth::No;  // the parser accepts only string tests in keyword selections
}

}  // namespace vigie
