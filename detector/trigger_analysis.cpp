// SPDX-License-Identifier: EUPL-1.2
#include "detector/trigger_analysis.hpp"

#include <algorithm>
#include <iterator>

namespace vigie {

namespace {

// One trigger set of a plan, with how selective it is taken to be.
struct Requirement {
    TriggerSet triggers;
    int quality = 0;
};
using Plan = std::vector<Requirement>;  // every requirement must hold
using Maybe = std::optional<Plan>;

// Literals shorter than this hit so often that they are poor prefilters; a regex's
// prefilter is taken to be about as selective.
constexpr int kRegexQuality = 3;
// Requirements from the logsource rank below every requirement of the detection.
constexpr int kDetectionTier = 1000;
// An OR of plans is distributed (A and B) or C = (A or C) and (B or C) only up to this
// many products; beyond, each side keeps its best requirements.
constexpr size_t kMaxProducts = 16;
// Substrings shorter than this are not checked after the lead set.
constexpr size_t kMinSecondaryLiteral = 5;

struct Analysis {
    const Rule& rule;
    uint32_t first_logsource_selection;
};

int trigger_quality(const Trigger& t, bool logsource) {
    int q = t.regex ? kRegexQuality : static_cast<int>(t.text.size());
    if (t.anchors != 0) q += 2;  // an anchored literal rejects most of its occurrences
    return logsource ? q : q + kDetectionTier;
}

// Whether a set is worth having after the lead one. Whole-value literals are hash
// lookups; a short substring (".exe", ":", "0") occurs in most values, and a regex costs a
// scan: either would add Hyperscan matches to handle and reject hardly any event.
bool worth_checking(const TriggerSet& set) {
    return std::all_of(set.begin(), set.end(), [](const Trigger& t) {
        if (t.regex) return false;
        return t.anchors == (kAnchorStart | kAnchorEnd) || t.text.size() >= kMinSecondaryLiteral;
    });
}

// Best first; identical requirements once; at most kMaxRequirements.
Plan normalized(Plan plan) {
    std::stable_sort(plan.begin(), plan.end(), [](const Requirement& a, const Requirement& b) {
        if (a.quality != b.quality) return a.quality > b.quality;
        return a.triggers.size() < b.triggers.size();
    });
    Plan out;
    for (auto& r : plan) {
        const bool seen = std::any_of(
            out.begin(), out.end(), [&](const Requirement& o) { return o.triggers == r.triggers; });
        if (!seen) out.push_back(std::move(r));
        if (out.size() == kMaxRequirements) break;
    }
    return out;
}

std::optional<Trigger> predicate_trigger(const Predicate& p, FieldId field, bool logsource) {
    if (const auto* g = std::get_if<GlobPredicate>(&p)) {
        using Shape = GlobMatcher::Shape;
        const Shape shape = g->matcher.shape();
        Trigger t{field, {}, false, !g->matcher.cased(), {}, 0, logsource};
        if (shape == Shape::General) {
            t.text = g->pattern.longest_literal();
        } else {
            t.text = g->matcher.needle();
            // Keyword databases scan the event's strings joined: no anchors there.
            if (field != kKeywordField) {
                if (shape == Shape::Exact || shape == Shape::Prefix) t.anchors |= kAnchorStart;
                if (shape == Shape::Exact || shape == Shape::Suffix) t.anchors |= kAnchorEnd;
            }
        }
        if (t.text.empty()) return std::nullopt;
        return t;
    }
    if (const auto* r = std::get_if<RegexPredicate>(&p)) {
        return Trigger{
            field,    r->regex->pattern(), true, r->regex->flags().caseless, r->regex->flags(), 0,
            logsource};
    }
    return std::nullopt;
}

// The union of the triggers of values[begin, end): one of them must occur.
std::optional<Requirement> values_requirement(const FieldClause& clause, size_t begin, size_t end,
                                              bool logsource) {
    Requirement req{{}, INT32_MAX};
    for (size_t i = begin; i < end; ++i) {
        auto t = predicate_trigger(clause.values[i], clause.field_id, logsource);
        if (!t) return std::nullopt;
        req.quality = std::min(req.quality, trigger_quality(*t, logsource));
        req.triggers.push_back(std::move(*t));
    }
    if (req.triggers.empty()) return std::nullopt;
    return req;
}

Maybe clause_plan(const FieldClause& clause, bool logsource) {
    Plan plan;
    if (!clause.all) {
        if (auto r = values_requirement(clause, 0, clause.values.size(), logsource))
            plan.push_back(std::move(*r));
    } else {
        // Every written value must hold: each one (the union of its forms) is a requirement.
        const size_t n = clause.values.size();
        for (size_t i = 0; i < n;) {
            const size_t begin = i;
            const uint32_t group = clause.group_of(i);
            while (i < n && clause.group_of(i) == group) ++i;
            if (auto r = values_requirement(clause, begin, i, logsource))
                plan.push_back(std::move(*r));
        }
    }
    if (plan.empty()) return std::nullopt;
    return plan;
}

// Every child must hold: all their requirements.
Maybe and_plans(std::vector<Maybe> children) {
    Plan out;
    for (auto& c : children) {
        if (c) std::move(c->begin(), c->end(), std::back_inserter(out));
    }
    if (out.empty()) return std::nullopt;
    return normalized(std::move(out));
}

// One child must hold: every choice of one requirement per child, joined, is required.
Maybe or_plans(std::vector<Maybe> children) {
    if (children.empty()) return std::nullopt;
    if (std::any_of(children.begin(), children.end(), [](const Maybe& c) { return !c; }))
        return std::nullopt;
    // Saturating: 64 children of 2 requirements would overflow a plain product.
    auto products = [&children] {
        size_t p = 1;
        for (const auto& c : children) {
            p *= c->size();
            if (p > kMaxProducts) return kMaxProducts + 1;
        }
        return p;
    };
    while (products() > kMaxProducts) {  // drop the worst requirement of the largest plan
        auto largest =
            std::max_element(children.begin(), children.end(),
                             [](const Maybe& a, const Maybe& b) { return a->size() < b->size(); });
        (*largest)->pop_back();
    }
    Plan out{Requirement{{}, INT32_MAX}};
    for (const auto& c : children) {
        Plan next;
        for (const auto& partial : out) {
            for (const auto& r : *c) {
                Requirement joined = partial;
                joined.triggers.insert(joined.triggers.end(), r.triggers.begin(), r.triggers.end());
                joined.quality = std::min(joined.quality, r.quality);
                next.push_back(std::move(joined));
            }
        }
        out = std::move(next);
    }
    return normalized(std::move(out));
}

Maybe selection_plan(const Analysis& a, uint32_t index) {
    const Selection& sel = a.rule.selections[index];
    const bool logsource = index >= a.first_logsource_selection;
    std::vector<Maybe> groups;
    groups.reserve(sel.alternatives.size());
    for (const auto& group : sel.alternatives) {
        std::vector<Maybe> clauses;
        clauses.reserve(group.size());
        for (const auto& clause : group) clauses.push_back(clause_plan(clause, logsource));
        groups.push_back(and_plans(std::move(clauses)));
    }
    return or_plans(std::move(groups));
}

Maybe node_plan(const Analysis& a, uint32_t index) {
    const ConditionNode& node = a.rule.condition.nodes[index];
    std::vector<Maybe> children;
    switch (node.op) {
        case ConditionNode::Op::Selection:
            return selection_plan(a, node.selection);
        case ConditionNode::Op::And:
            for (uint32_t c : node.children) children.push_back(node_plan(a, c));
            return and_plans(std::move(children));
        case ConditionNode::Op::Or:
        case ConditionNode::Op::AtLeast:
            for (uint32_t c : node.children) children.push_back(node_plan(a, c));
            if (node.op == ConditionNode::Op::AtLeast && node.count >= node.children.size())
                return and_plans(std::move(children));
            return or_plans(std::move(children));
        case ConditionNode::Op::Not:
        case ConditionNode::Op::True:
            return std::nullopt;
    }
    return std::nullopt;
}

// The root's logsource conditions, all of them: the prefilter gates databases on them, so
// every rule of a logsource must name the same sets, whatever its detection has.
Maybe logsource_plan(const Analysis& a, const ConditionNode& root) {
    Plan out;
    for (uint32_t c : root.children) {
        const ConditionNode& child = a.rule.condition.nodes[c];
        if (child.op != ConditionNode::Op::Selection ||
            child.selection < a.first_logsource_selection)
            continue;
        if (auto p = selection_plan(a, child.selection))
            std::move(p->begin(), p->end(), std::back_inserter(out));
    }
    if (out.empty()) return std::nullopt;
    return out;
}

}  // namespace

std::optional<TriggerPlan> rule_triggers(const Rule& rule, uint32_t first_logsource_selection) {
    const Analysis a{rule, first_logsource_selection};
    const ConditionNode& root = rule.condition.nodes[rule.condition.root];
    const bool attached =
        root.op == ConditionNode::Op::And && first_logsource_selection < rule.selections.size();
    Maybe plan;
    if (attached) {  // And(logsource selections..., the rule's own condition)
        plan = node_plan(a, root.children.back());
        if (Maybe gate = logsource_plan(a, root)) {
            if (!plan) plan = Plan{};
            std::move(gate->begin(), gate->end(), std::back_inserter(*plan));
        }
    } else {
        plan = node_plan(a, rule.condition.root);
    }
    if (!plan) return std::nullopt;
    TriggerPlan out;
    for (auto& r : *plan) {
        if (out.empty() || worth_checking(r.triggers)) out.push_back(std::move(r.triggers));
    }
    return out;
}

}  // namespace vigie
