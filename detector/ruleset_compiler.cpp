#include "detector/ruleset_compiler.hpp"

#include <chrono>

#include "detector/trigger_analysis.hpp"

namespace vigie {

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
    std::vector<std::optional<TriggerSet>> triggers;
    std::vector<uint32_t> active_ids;
    for (auto& rule : rules) {
        LogsourceResolution res = mapping_.resolve(rule.logsource);
        CompiledRule compiled{std::move(rule), res.active, res.active && !res.mapped};
        if (compiled.active) {
            const uint32_t detection_root = compiled.rule.condition.root;
            attach_logsource(compiled.rule, res);
            for (auto& sel : compiled.rule.selections) {
                for (auto& group : sel.alternatives) {
                    for (auto& clause : group) resolve_clause(clause, res, *out);
                }
            }
            auto id = static_cast<uint32_t>(out->rules_.size());
            active_ids.push_back(id);
            triggers.push_back(options.prefilter ? rule_triggers(compiled.rule, detection_root)
                                                 : std::nullopt);
            report.always_evaluated += triggers.back() ? 0 : 1;
        }
        report.inactive += compiled.active ? 0 : 1;
        report.unmapped_logsource += compiled.unmapped_logsource ? 1 : 0;
        out->rules_.push_back(std::move(compiled));
    }
    out->prefilter_.build(triggers, active_ids, DatabaseCache(options.cache_dir), diags_);
    report.rules = out->rules_.size();
    report.prefilter_patterns = out->prefilter_.pattern_count();
    report.prefilter_databases = out->prefilter_.databases().size();
    report.prefilter_cached = out->prefilter_.cached_databases();
    report.always_evaluated = out->prefilter_.always().size();
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return out;
}

}  // namespace vigie
