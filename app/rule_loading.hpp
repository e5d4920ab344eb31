// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Rule files + placeholders + mapping -> compiled Ruleset, with every diagnostic kept,
// shared by `vigie scan` and `vigie rules check`.
#include <memory>
#include <string>
#include <vector>

#include "core/diagnostic.hpp"
#include "detector/ruleset.hpp"
#include "detector/ruleset_compiler.hpp"

namespace vigie {

struct RuleLoadOptions {
    std::vector<std::string> rule_paths;
    std::string mapping = "windows";
    std::string placeholders;  // a file, or empty
    bool prefilter = true;
    std::string cache_dir;  // compiled Hyperscan databases; empty: none
};

struct LoadedRuleset {
    std::shared_ptr<const Ruleset> ruleset;  // null when the mapping could not be loaded
    size_t documents = 0;                    // rule documents seen
    size_t loaded = 0;                       // rules that parsed and compiled
    size_t errors = 0;                       // diagnostics of Error severity
    Diagnostics diagnostics;
    CompileReport report;
};

LoadedRuleset load_ruleset(const RuleLoadOptions& options);

}  // namespace vigie
