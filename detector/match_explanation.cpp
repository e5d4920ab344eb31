// SPDX-License-Identifier: EUPL-1.2
#include "detector/match_explanation.hpp"

#include "detector/rule_evaluator.hpp"

namespace vigie {

namespace {

// Marks, for each selection, whether the condition uses it outside any NOT.
void mark_positive(const Rule& rule, uint32_t index, bool negated, std::vector<bool>& positive) {
    const ConditionNode& node = rule.condition.nodes[index];
    if (node.op == ConditionNode::Op::Selection) {
        if (!negated) positive[node.selection] = true;
        return;
    }
    const bool below = negated != (node.op == ConditionNode::Op::Not);
    for (uint32_t c : node.children) mark_positive(rule, c, below, positive);
}

// The first of the field's values the clause holds for on its own, else its first value. A
// field has several values when the event repeats its key ({"Image":"a","Image":"b"}): the
// alert must show the one the rule matched, not the decoy before it.
std::string_view matched_value(const FieldClause& clause, EvalContext& ctx) {
    if (clause.field_id == kNone || clause.field_id == kKeywordField) return {};
    FieldView view = ctx.event.resolve(ctx.fields, clause.field_id);
    if (view.values.empty()) return {};
    if (view.values.size() > 1) {
        for (const FieldValue& v : view.values) {
            const FieldView one{std::span(&v, 1), true};
            for (const Predicate& p : clause.values) {
                if (predicate_matches(p, one, ctx) == Truth::Yes) return v.text;
            }
        }
    }
    return view.values.front().text;
}

void explain_selection(const Selection& selection, EvalContext& ctx,
                       std::vector<MatchedField>& out) {
    for (const auto& clauses : selection.alternatives) {
        bool all = true;
        for (const FieldClause& clause : clauses) {
            if (clause_matches(clause, ctx) == Truth::No) {
                all = false;
                break;
            }
        }
        if (!all) continue;
        for (const FieldClause& clause : clauses) {
            std::string_view name = clause.field.empty() ? std::string_view("keywords")
                                                         : std::string_view(clause.field);
            out.push_back({selection.name, name, matched_value(clause, ctx)});
        }
        return;
    }
}

}  // namespace

void explain_match(const Rule& rule, EvalContext& ctx, std::vector<bool>& positive,
                   std::vector<MatchedField>& out) {
    out.clear();
    if (rule.condition.nodes.empty()) return;
    positive.assign(rule.selections.size(), false);
    mark_positive(rule, rule.condition.root, false, positive);
    for (size_t s = 0; s < rule.selections.size(); ++s) {
        // The mapping's logsource conditions (field_mapping.cpp) say where the event comes
        // from, not why it is suspicious.
        if (rule.selections[s].name == "logsource") continue;
        if (positive[s]) explain_selection(rule.selections[s], ctx, out);
    }
}

}  // namespace vigie
