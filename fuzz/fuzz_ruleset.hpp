// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The fuzz targets' rules: Sigma text compiled through the real parser and compiler
// against the built-in windows mapping, once per process.
#include <memory>
#include <vector>

#include "detector/field_mapping.hpp"
#include "detector/rule_parser.hpp"
#include "detector/ruleset_compiler.hpp"

namespace vigie {

inline std::shared_ptr<const Ruleset> fuzz_ruleset(const char* rules_yaml) {
    Diagnostics diags;
    std::vector<Rule> rules;
    Placeholders none;
    RuleParser(none, diags).parse_text(rules_yaml, "fuzz", rules);
    auto mapping = load_mapping("windows", {}, diags);
    CompileReport report;
    return RulesetCompiler(*mapping, diags).compile(std::move(rules), CompileOptions{}, report);
}

}  // namespace vigie
