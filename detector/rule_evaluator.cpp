#include "detector/rule_evaluator.hpp"

namespace vigie {

namespace {

bool node_matches(const Rule& rule, uint32_t index, EvalContext& ctx) {
    const ConditionNode& node = rule.condition.nodes[index];
    switch (node.op) {
        case ConditionNode::Op::True: return true;
        case ConditionNode::Op::Selection: return selection_matches(rule.selections[node.selection], ctx);
        case ConditionNode::Op::Not: return !node_matches(rule, node.children.front(), ctx);
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

}  // namespace

bool clause_matches(const FieldClause& clause, EvalContext& ctx) {
    if (clause.field_id == kKeywordField) {
        auto strings = ctx.event.strings();
        for (const Predicate& p : clause.values) {
            bool hit = predicate_matches_any(p, strings, ctx);
            if (clause.all && !hit) return false;
            if (!clause.all && hit) return true;
        }
        return clause.all;
    }
    FieldView view = ctx.event.resolve(ctx.fields, clause.field_id);
    for (const Predicate& p : clause.values) {
        bool hit = predicate_matches(p, view, ctx);
        if (clause.all && !hit) return false;
        if (!clause.all && hit) return true;
    }
    return clause.all;
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
