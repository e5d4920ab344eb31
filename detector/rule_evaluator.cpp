#include "detector/rule_evaluator.hpp"

#include <algorithm>
#include <span>

namespace vigie {

namespace {

bool node_matches(const Rule& rule, uint32_t index, EvalContext& ctx) {
    const ConditionNode& node = rule.condition.nodes[index];
    switch (node.op) {
        case ConditionNode::Op::True:
            return true;
        case ConditionNode::Op::Selection:
            return selection_matches(rule.selections[node.selection], ctx);
        case ConditionNode::Op::Not:
            return !node_matches(rule, node.children.front(), ctx);
        case ConditionNode::Op::And:
            for (uint32_t c : node.children) {
                if (!node_matches(rule, c, ctx)) return false;
            }
            return true;
        case ConditionNode::Op::Or:
            for (uint32_t c : node.children) {
                if (node_matches(rule, c, ctx)) return true;
            }
            return false;
        case ConditionNode::Op::AtLeast: {
            uint32_t hits = 0;
            for (uint32_t c : node.children) {
                if (node_matches(rule, c, ctx) && ++hits >= node.count) return true;
            }
            return false;
        }
    }
    return false;
}

// OR over the predicates; with |all, every written value (a run of predicates of the same
// group) needs one of its predicates to hold.
template <class Hit>
bool values_match(const FieldClause& clause, Hit&& hit) {
    const size_t n = clause.values.size();
    if (!clause.all) {
        for (const Predicate& p : clause.values) {
            if (hit(p)) return true;
        }
        return false;
    }
    for (size_t i = 0; i < n;) {
        const uint32_t group = clause.group_of(i);
        bool any = false;
        for (; i < n && clause.group_of(i) == group; ++i) {
            if (!any && hit(clause.values[i])) any = true;
        }
        if (!any) return false;
    }
    return true;
}

// A clause with a literal set: its simple values in one scan per value, then the rest.
bool literal_clause_matches(const FieldClause& clause, EvalContext& ctx) {
    const LiteralSet& set = *ctx.literal_sets[clause.literal_set];
    const auto rest = std::span(clause.values).subspan(clause.literal_count);
    if (clause.field_id == kKeywordField) {
        auto strings = ctx.event.strings();
        for (auto s : strings) {
            if (set.matches(s, ctx.literal_scratch)) return true;
        }
        return std::any_of(rest.begin(), rest.end(), [&](const Predicate& p) {
            return predicate_matches_any(p, strings, ctx);
        });
    }
    FieldView view = ctx.event.resolve(ctx.fields, clause.field_id);
    for (const FieldValue& v : view.values) {
        if (v.type != ValueType::Null && set.matches(v.text, ctx.literal_scratch)) return true;
    }
    return std::any_of(rest.begin(), rest.end(),
                       [&](const Predicate& p) { return predicate_matches(p, view, ctx); });
}

}  // namespace

bool clause_matches(const FieldClause& clause, EvalContext& ctx) {
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

bool selection_matches(const Selection& selection, EvalContext& ctx) {
    for (const auto& group : selection.alternatives) {
        bool all = true;
        for (const FieldClause& clause : group) {
            if (!clause_matches(clause, ctx)) {
                all = false;
                break;
            }
        }
        if (all) return true;
    }
    return false;
}

bool condition_matches(const Rule& rule, EvalContext& ctx) {
    return node_matches(rule, rule.condition.root, ctx);
}

}  // namespace vigie
