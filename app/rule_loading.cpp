#include "app/rule_loading.hpp"

#include <set>

#include "detector/field_mapping.hpp"
#include "detector/placeholders.hpp"
#include "detector/rule_parser.hpp"

namespace vigie {

LoadedRuleset load_ruleset(const RuleLoadOptions& options) {
    LoadedRuleset out;
    Placeholders placeholders;
    if (!options.placeholders.empty())
        placeholders = Placeholders::load(options.placeholders, out.diagnostics);
    auto mapping = load_mapping(options.mapping, options.rule_paths, out.diagnostics);
    std::vector<Rule> rules;
    RuleParser parser(placeholders, out.diagnostics);
    for (const auto& file : find_rule_files(options.rule_paths, out.diagnostics)) {
        // rules/mappings holds mapping files, not rules.
        if (file.find("/mappings/") != std::string::npos) continue;
        parser.parse_file(file, rules);
    }
    out.documents = parser.documents();
    std::set<std::string> ids;
    for (const auto& r : rules) {
        if (!r.id.empty() && !ids.insert(r.id).second) {
            out.diagnostics.push_back(
                {Severity::Warning, r.where, r.id, "another rule already has this id"});
        }
    }
    if (mapping) {
        RulesetCompiler compiler(*mapping, out.diagnostics);
        out.ruleset =
            compiler.compile(std::move(rules), CompileOptions{options.prefilter}, out.report);
        out.loaded = out.ruleset->rules().size();
    }
    for (const auto& d : out.diagnostics) out.errors += d.severity == Severity::Error ? 1 : 0;
    return out;
}

}  // namespace vigie
