// SPDX-License-Identifier: EUPL-1.2
#include "detector/ruleset_compiler.hpp"

#include <chrono>
#include <iterator>

#include "detector/parallel_for.hpp"
#include "detector/trigger_analysis.hpp"

namespace vigie {

Ruleset::~Ruleset() {
    hs_free_scratch(literal_scratch_);
}

size_t Ruleset::active_rules() const {
    size_t n = 0;
    for (const auto& r : rules_) n += r.active ? 1 : 0;
    return n;
}

FieldId RulesetCompiler::resolve_field(const std::string& field, const LogsourceResolution& res,
                                       Ruleset& out) {
    std::vector<PathId> paths;
    for (const auto& p : mapping_.paths_for(field, res)) paths.push_back(out.trie_.add(p));
    return out.fields_.intern(std::move(paths), field);
}

void RulesetCompiler::resolve_clause(FieldClause& clause, const LogsourceResolution& res,
                                     Ruleset& out) {
    if (clause.field.empty()) {
        clause.field_id = kKeywordField;
        out.needs_all_strings_ = true;
    } else {
        clause.field_id = resolve_field(clause.field, res, out);
    }
    for (auto& p : clause.values) {
        if (auto* ref = std::get_if<FieldRefPredicate>(&p))
            ref->other = resolve_field(ref->field, res, out);
    }
}

// Moves a clause's simple literal values to the front, to be tested with one LiteralSet,
// when there are enough of them to pay for a scan call.
void RulesetCompiler::plan_literal_set(FieldClause& clause) {
    if (clause.all) return;
    std::vector<size_t> simple;
    std::vector<size_t> rest;
    for (size_t i = 0; i < clause.values.size(); ++i) {
        const auto* g = std::get_if<GlobPredicate>(&clause.values[i]);
        const bool is_simple = g != nullptr && g->matcher.shape() != GlobMatcher::Shape::General &&
                               !g->matcher.needle().empty();
        (is_simple ? simple : rest).push_back(i);
    }
    if (simple.size() < LiteralSet::kMinValues) return;
    std::vector<Predicate> values;
    std::vector<uint32_t> groups;
    for (const auto* part : {&simple, &rest}) {
        for (size_t i : *part) {
            values.push_back(std::move(clause.values[i]));
            if (!clause.groups.empty()) groups.push_back(clause.groups[i]);
        }
    }
    clause.values = std::move(values);
    clause.groups = std::move(groups);
    clause.literal_set = static_cast<uint32_t>(literal_clauses_.size());
    clause.literal_count = static_cast<uint32_t>(simple.size());
    literal_clauses_.push_back(&clause);
}

// Compiles the planned literal sets on all cores (a thousand small Hyperscan databases
// for the SigmaHQ rules). Clause addresses are stable: rules move, their vectors do not.
void RulesetCompiler::compile_literal_sets(const DatabaseCache& cache, Ruleset& out) {
    const size_t n = literal_clauses_.size();
    out.literal_sets_.resize(n);
    std::vector<Diagnostics> diags(n);
    parallel_for(
        n,
        [&](size_t i) {
            const FieldClause& c = *literal_clauses_[i];
            std::vector<const GlobMatcher*> matchers;
            for (size_t k = 0; k < c.literal_count; ++k) {
                matchers.push_back(&std::get<GlobPredicate>(c.values[k]).matcher);
            }
            out.literal_sets_[i] = std::make_unique<LiteralSet>(matchers, cache, diags[i]);
        },
        16);
    for (size_t i = 0; i < n; ++i) {
        out.literal_sets_[i]->grow_scratch(&out.literal_scratch_);
        std::move(diags[i].begin(), diags[i].end(), std::back_inserter(diags_));
    }
    literal_clauses_.clear();
}

void RulesetCompiler::attach_logsource(Rule& rule, const LogsourceResolution& res) {
    ConditionNode all{ConditionNode::Op::And, 0, 0, {}};
    for (const auto* entry : res.entries) {
        if (!entry->conditions) continue;
        rule.selections.push_back(*entry->conditions);
        rule.condition.nodes.push_back({ConditionNode::Op::Selection,
                                        static_cast<uint32_t>(rule.selections.size() - 1),
                                        0,
                                        {}});
        all.children.push_back(static_cast<uint32_t>(rule.condition.nodes.size() - 1));
    }
    if (all.children.empty()) return;
    // The rule's own condition comes last so that cheap logsource checks short-circuit.
    all.children.push_back(rule.condition.root);
    rule.condition.nodes.push_back(std::move(all));
    rule.condition.root = static_cast<uint32_t>(rule.condition.nodes.size() - 1);
}

std::shared_ptr<const Ruleset> RulesetCompiler::compile(std::vector<Rule> rules,
                                                        const CompileOptions& options,
                                                        CompileReport& report) {
    auto start = std::chrono::steady_clock::now();
    auto out = std::make_shared<Ruleset>(mapping_.ignore_spaces());
    const DatabaseCache cache(options.cache_dir);
    std::vector<std::optional<TriggerPlan>> triggers;
    std::vector<uint32_t> active_ids;
    for (auto& rule : rules) {
        LogsourceResolution res = mapping_.resolve(rule.logsource);
        CompiledRule compiled{std::move(rule), res.active, res.active && !res.mapped};
        if (compiled.active) {
            const auto own_selections = static_cast<uint32_t>(compiled.rule.selections.size());
            attach_logsource(compiled.rule, res);
            for (auto& sel : compiled.rule.selections) {
                for (auto& group : sel.alternatives) {
                    for (auto& clause : group) {
                        resolve_clause(clause, res, *out);
                        plan_literal_set(clause);
                    }
                }
            }
            auto id = static_cast<uint32_t>(out->rules_.size());
            active_ids.push_back(id);
            triggers.push_back(options.prefilter ? rule_triggers(compiled.rule, own_selections)
                                                 : std::nullopt);
            report.always_evaluated += triggers.back() ? 0 : 1;
        }
        report.inactive += compiled.active ? 0 : 1;
        report.unmapped_logsource += compiled.unmapped_logsource ? 1 : 0;
        out->rules_.push_back(std::move(compiled));
    }
    // The fields that carry observables for indicator matching, read like any rule field.
    for (const auto& [stix_path, fields] : mapping_.observables()) {
        for (const auto& field : fields) {
            out->observable_fields_.push_back(
                {stix_path, field, resolve_field(field, LogsourceResolution{}, *out)});
        }
    }
    compile_literal_sets(cache, *out);
    out->prefilter_.build(triggers, active_ids, out->rules_.size(), cache, diags_);
    out->prefilter_.index_paths(out->fields_, out->trie_.path_count());
    cache.prune();  // after the loads above refreshed what this rule set uses
    report.rules = out->rules_.size();
    report.prefilter_patterns = out->prefilter_.pattern_count();
    report.prefilter_databases = out->prefilter_.hyperscan_databases();
    report.prefilter_cached = out->prefilter_.cached_databases();
    report.always_evaluated = out->prefilter_.always().size();
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return out;
}

}  // namespace vigie
