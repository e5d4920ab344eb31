// SPDX-License-Identifier: EUPL-1.2
#include "detector/rule_evaluator.hpp"

#include <algorithm>
#include <span>

namespace vigie {

namespace {

// Kleene's "or" and "and", folded one operand at a time: Yes (or No) decides at once.
struct AnyOf {
    bool unknown = false;
    bool add(Truth t) {  // true when decided (Yes)
        unknown = unknown || t == Truth::Unknown;
        return t == Truth::Yes;
    }
    [[nodiscard]] Truth result() const { return unknown ? Truth::Unknown : Truth::No; }
};

struct AllOf {
    bool unknown = false;
    bool add(Truth t) {  // true when decided (No)
        unknown = unknown || t == Truth::Unknown;
        return t == Truth::No;
    }
    [[nodiscard]] Truth result() const { return unknown ? Truth::Unknown : Truth::Yes; }
};

Truth negate(Truth t) {
    return t == Truth::Unknown ? t : (t == Truth::Yes ? Truth::No : Truth::Yes);
}

// At least `count` of the children hold: Yes once `count` are Yes, No once fewer than
// `count` can still be, Unknown otherwise.
template <class Eval>
Truth at_least(const std::vector<uint32_t>& children, uint32_t count, Eval&& eval) {
    uint32_t yes = 0;
    uint32_t unknown = 0;
    for (uint32_t c : children) {
        const Truth t = eval(c);
        if (t == Truth::Yes && ++yes >= count) return Truth::Yes;
        if (t == Truth::Unknown) ++unknown;
    }
    return yes + unknown >= count ? Truth::Unknown : Truth::No;
}

Truth node_matches(const Rule& rule, uint32_t index, EvalContext& ctx) {
    const ConditionNode& node = rule.condition.nodes[index];
    switch (node.op) {
        case ConditionNode::Op::True:
            return Truth::Yes;
        case ConditionNode::Op::Selection:
            return selection_matches(rule.selections[node.selection], ctx);
        case ConditionNode::Op::Not:
            return negate(node_matches(rule, node.children.front(), ctx));
        case ConditionNode::Op::And: {
            AllOf all;
            for (uint32_t c : node.children) {
                if (all.add(node_matches(rule, c, ctx))) return Truth::No;
            }
            return all.result();
        }
        case ConditionNode::Op::Or: {
            AnyOf any;
            for (uint32_t c : node.children) {
                if (any.add(node_matches(rule, c, ctx))) return Truth::Yes;
            }
            return any.result();
        }
        case ConditionNode::Op::AtLeast:
            return at_least(node.children, node.count,
                            [&](uint32_t c) { return node_matches(rule, c, ctx); });
    }
    return Truth::No;
}

// OR over the predicates; with |all, every written value (a run of predicates of the same
// group) needs one of its predicates to hold.
template <class Hit>
Truth values_match(const FieldClause& clause, Hit&& hit) {
    const size_t n = clause.values.size();
    if (!clause.all) {
        AnyOf any;
        for (const Predicate& p : clause.values) {
            if (any.add(hit(p))) return Truth::Yes;
        }
        return any.result();
    }
    AllOf all;
    for (size_t i = 0; i < n;) {
        const uint32_t group = clause.group_of(i);
        AnyOf any;
        bool decided = false;
        for (; i < n && clause.group_of(i) == group; ++i) {
            if (!decided && any.add(hit(clause.values[i]))) decided = true;
        }
        if (all.add(decided ? Truth::Yes : any.result())) return Truth::No;
    }
    return all.result();
}

// A clause with a literal set: its simple values in one scan per value, then the rest.
Truth literal_clause_matches(const FieldClause& clause, EvalContext& ctx) {
    const LiteralSet& set = *ctx.literal_sets[clause.literal_set];
    const auto rest = std::span(clause.values).subspan(clause.literal_count);
    AnyOf any;
    if (clause.field_id == kKeywordField) {
        auto strings = ctx.event.strings();
        for (auto s : strings) {
            if (set.matches(s, ctx.literal_scratch)) return Truth::Yes;
        }
        for (const Predicate& p : rest) {
            if (any.add(predicate_matches_any(p, strings, ctx))) return Truth::Yes;
        }
        return any.result();
    }
    FieldView view = ctx.event.resolve(ctx.fields, clause.field_id);
    for (const FieldValue& v : view.values) {
        if (v.type != ValueType::Null && set.matches(v.text, ctx.literal_scratch))
            return Truth::Yes;
    }
    for (const Predicate& p : rest) {
        if (any.add(predicate_matches(p, view, ctx))) return Truth::Yes;
    }
    return any.result();
}

}  // namespace

Truth clause_matches(const FieldClause& clause, EvalContext& ctx) {
    if (clause.literal_set != kNone) return literal_clause_matches(clause, ctx);
    if (clause.field_id == kKeywordField) {
        auto strings = ctx.event.strings();
        return values_match(
            clause, [&](const Predicate& p) { return predicate_matches_any(p, strings, ctx); });
    }
    FieldView view = ctx.event.resolve(ctx.fields, clause.field_id);
    return values_match(clause,
                        [&](const Predicate& p) { return predicate_matches(p, view, ctx); });
}

Truth selection_matches(const Selection& selection, EvalContext& ctx) {
    AnyOf any;
    for (const auto& group : selection.alternatives) {
        AllOf all;
        bool failed = false;
        for (const FieldClause& clause : group) {
            if (all.add(clause_matches(clause, ctx))) {
                failed = true;
                break;
            }
        }
        if (any.add(failed ? Truth::No : all.result())) return Truth::Yes;
    }
    return any.result();
}

Truth condition_matches(const Rule& rule, EvalContext& ctx) {
    return node_matches(rule, rule.condition.root, ctx);
}

}  // namespace vigie
