// SPDX-License-Identifier: EUPL-1.2
#pragma once
// One value test of a Sigma selection, after its modifiers were applied, and the exact
// evaluation of it on an event's field. The prefilter only chooses which rules to
// evaluate; the answer always comes from here.
#include <memory>
#include <span>
#include <string>
#include <variant>

#include "core/ip_network.hpp"
#include "detector/event_fields.hpp"
#include "detector/glob_matcher.hpp"
#include "detector/literal_set.hpp"
#include "detector/regex.hpp"
#include "detector/sigma_string.hpp"

namespace vigie {

struct GlobPredicate {
    SigmaString pattern;
    GlobMatcher matcher;
};

struct RegexPredicate {
    std::shared_ptr<const Regex> regex;
};

struct CidrPredicate {
    IpNetwork network;
};

enum class CompareOp : uint8_t { Greater, GreaterEqual, Less, LessEqual };
struct NumberPredicate {
    CompareOp op;
    double value;
};

struct ExistsPredicate {
    bool expected;
};

// `field: null`: the field is absent or null.
struct NullPredicate {};

enum class Anchor : uint8_t { Whole, Contains, StartsWith, EndsWith };
struct FieldRefPredicate {
    std::string field;  // the Sigma field whose value is compared
    Anchor anchor = Anchor::Whole;
    bool cased = false;
    FieldId other = kNone;  // resolved by the compiler
};

// A value that can never match (an undefined placeholder); kept so that the rule
// still loads, with a warning.
struct NeverPredicate {};

using Predicate = std::variant<GlobPredicate, RegexPredicate, CidrPredicate, NumberPredicate,
                               ExistsPredicate, NullPredicate, FieldRefPredicate, NeverPredicate>;

struct EvalContext {
    const EventFields& event;
    const FieldTable& fields;
    RegexScratch& regex;
    std::span<const std::unique_ptr<LiteralSet>> literal_sets;
    hs_scratch_t* literal_scratch = nullptr;
};

// Whether the predicate holds for the field as `view` shows it (Unknown: a regex that hit
// its limit on a value, and no value matched).
Truth predicate_matches(const Predicate& p, const FieldView& view, EvalContext& ctx);
// For keyword selections: whether the predicate holds for one of the strings.
Truth predicate_matches_any(const Predicate& p, std::span<const std::string_view> strings,
                            EvalContext& ctx);

}  // namespace vigie
