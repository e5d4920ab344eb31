// SPDX-License-Identifier: EUPL-1.2
#include "app/rule_loading.hpp"

#include <iterator>
#include <set>

#include "detector/field_mapping.hpp"
#include "detector/parallel_for.hpp"
#include "detector/placeholders.hpp"
#include "detector/rule_parser.hpp"

namespace vigie {

namespace {

struct ParsedFile {
    std::vector<Rule> rules;
    Diagnostics diagnostics;
    size_t documents = 0;
};

// Parses the files on all cores (YAML parsing is most of the load time), then joins the
// results in file order, so that rules and messages come out as a serial load would.
std::vector<Rule> parse_rule_files(const std::vector<std::string>& files,
                                   const Placeholders& placeholders, Diagnostics& diags,
                                   size_t& documents) {
    std::vector<ParsedFile> parsed(files.size());
    parallel_for(
        files.size(),
        [&](size_t i) {
            // rules/mappings holds mapping files, not rules.
            if (files[i].find("/mappings/") != std::string::npos) return;
            RuleParser parser(placeholders, parsed[i].diagnostics);
            parser.parse_file(files[i], parsed[i].rules);
            parsed[i].documents = parser.documents();
        },
        64);
    std::vector<Rule> rules;
    for (auto& p : parsed) {
        std::move(p.rules.begin(), p.rules.end(), std::back_inserter(rules));
        std::move(p.diagnostics.begin(), p.diagnostics.end(), std::back_inserter(diags));
        documents += p.documents;
    }
    return rules;
}

}  // namespace

LoadedRuleset load_ruleset(const RuleLoadOptions& options) {
    LoadedRuleset out;
    Placeholders placeholders;
    if (!options.placeholders.empty())
        placeholders = Placeholders::load(options.placeholders, out.diagnostics);
    auto mapping = load_mapping(options.mapping, options.rule_paths, out.diagnostics);
    std::vector<Rule> rules = parse_rule_files(find_rule_files(options.rule_paths, out.diagnostics),
                                               placeholders, out.diagnostics, out.documents);
    std::set<std::string> ids;
    for (const auto& r : rules) {
        if (!r.id.empty() && !ids.insert(r.id).second) {
            out.diagnostics.push_back(
                {Severity::Warning, r.where, r.id, "another rule already has this id"});
        }
    }
    if (mapping) {
        RulesetCompiler compiler(*mapping, out.diagnostics);
        out.ruleset = compiler.compile(
            std::move(rules), CompileOptions{options.prefilter, options.cache_dir}, out.report);
        out.loaded = out.ruleset->rules().size();
    }
    for (const auto& d : out.diagnostics) out.errors += d.severity == Severity::Error ? 1 : 0;
    return out;
}

}  // namespace vigie
