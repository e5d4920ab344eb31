// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Turns parsed rules and a field mapping into a Ruleset: resolves every Sigma field to
// JSON paths, joins each rule with its logsource condition, and builds the prefilter.
#include <memory>
#include <string>
#include <vector>

#include "detector/field_mapping.hpp"
#include "detector/ruleset.hpp"

namespace vigie {

struct CompileOptions {
    bool prefilter = true;  // false: every rule is evaluated on every event
    std::string cache_dir;  // compiled Hyperscan databases; empty: no cache
};

struct CompileReport {
    size_t rules = 0;
    size_t inactive = 0;            // products the mapping does not cover
    size_t unmapped_logsource = 0;  // evaluated without a logsource condition
    size_t always_evaluated = 0;    // no prefilter literal could be found
    size_t prefilter_patterns = 0;
    size_t prefilter_databases = 0;
    size_t prefilter_cached = 0;  // databases loaded from the cache
    double seconds = 0;
};

class RulesetCompiler {
  public:
    RulesetCompiler(const FieldMapping& mapping, Diagnostics& diags)
        : mapping_(mapping), diags_(diags) {}

    std::shared_ptr<const Ruleset> compile(std::vector<Rule> rules, const CompileOptions& options,
                                           CompileReport& report);

  private:
    void resolve_clause(FieldClause& clause, const LogsourceResolution& res, Ruleset& out);
    FieldId resolve_field(const std::string& field, const LogsourceResolution& res, Ruleset& out);
    void attach_logsource(Rule& rule, const LogsourceResolution& res);
    void plan_literal_set(FieldClause& clause);
    void compile_literal_sets(const DatabaseCache& cache, Ruleset& out);

    const FieldMapping& mapping_;
    Diagnostics& diags_;
    std::vector<FieldClause*> literal_clauses_;  // planned by plan_literal_set
};

}  // namespace vigie
