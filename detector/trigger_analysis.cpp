#include "detector/trigger_analysis.hpp"

#include <algorithm>

namespace vigie {

namespace {

using Maybe = std::optional<TriggerSet>;

// Literals shorter than this hit so often that they are poor prefilters; a regex's
// prefilter is taken to be about as selective.
constexpr size_t kRegexQuality = 3;

size_t quality(const TriggerSet& set) {
    size_t q = SIZE_MAX;
    for (const auto& t : set) q = std::min(q, t.regex ? kRegexQuality : t.text.size());
    return q;
}

// The better of two alternatives where either one suffices (the children of an AND).
void keep_best(Maybe& best, Maybe candidate) {
    if (!candidate) return;
    if (!best || quality(*candidate) > quality(*best) ||
        (quality(*candidate) == quality(*best) && candidate->size() < best->size())) {
        best = std::move(candidate);
    }
}

// Every alternative needs one (the children of an OR): the union, or nothing.
bool merge_into(TriggerSet& acc, const Maybe& part) {
    if (!part) return false;
    acc.insert(acc.end(), part->begin(), part->end());
    return true;
}

Maybe predicate_trigger(const Predicate& p, FieldId field) {
    if (const auto* g = std::get_if<GlobPredicate>(&p)) {
        std::string lit = g->pattern.longest_literal();
        if (lit.empty()) return std::nullopt;
        return TriggerSet{Trigger{field, std::move(lit), false, !g->matcher.cased(), {}}};
    }
    if (const auto* r = std::get_if<RegexPredicate>(&p)) {
        return TriggerSet{Trigger{field, r->regex->pattern(), true, r->regex->flags().caseless,
                                  r->regex->flags()}};
    }
    return std::nullopt;
}

Maybe clause_trigger(const FieldClause& clause) {
    if (clause.all) {
        // Every written value must hold: the best of them, each the union of its forms.
        Maybe best;
        const size_t n = clause.values.size();
        for (size_t i = 0; i < n;) {
            const uint32_t group = clause.group_of(i);
            TriggerSet acc;
            bool complete = true;
            for (; i < n && clause.group_of(i) == group; ++i) {
                if (complete &&
                    !merge_into(acc, predicate_trigger(clause.values[i], clause.field_id))) {
                    complete = false;
                }
            }
            if (complete) keep_best(best, std::move(acc));
        }
        return best;
    }
    TriggerSet acc;
    for (const auto& p : clause.values) {
        if (!merge_into(acc, predicate_trigger(p, clause.field_id))) return std::nullopt;
    }
    return acc;
}

Maybe selection_trigger(const Selection& sel) {
    TriggerSet acc;
    for (const auto& group : sel.alternatives) {
        Maybe best;
        for (const auto& clause : group) keep_best(best, clause_trigger(clause));
        if (!merge_into(acc, best)) return std::nullopt;
    }
    if (sel.alternatives.empty()) return std::nullopt;
    return acc;
}

Maybe node_trigger(const Rule& rule, uint32_t index) {
    const ConditionNode& node = rule.condition.nodes[index];
    switch (node.op) {
        case ConditionNode::Op::Selection:
            return selection_trigger(rule.selections[node.selection]);
        case ConditionNode::Op::And: {
            Maybe best;
            for (uint32_t c : node.children) keep_best(best, node_trigger(rule, c));
            return best;
        }
        case ConditionNode::Op::Or:
        case ConditionNode::Op::AtLeast: {
            TriggerSet acc;
            for (uint32_t c : node.children) {
                if (!merge_into(acc, node_trigger(rule, c))) return std::nullopt;
            }
            return acc;
        }
        case ConditionNode::Op::Not:
        case ConditionNode::Op::True:
            return std::nullopt;
    }
    return std::nullopt;
}

}  // namespace

std::optional<TriggerSet> rule_triggers(const Rule& rule, uint32_t detection_root) {
    // The logsource conditions (a channel, a provider) hold for most events of their
    // kind: the rule's own detection is where the selective literals are.
    if (auto own = node_trigger(rule, detection_root)) return own;
    return node_trigger(rule, rule.condition.root);
}

}  // namespace vigie
