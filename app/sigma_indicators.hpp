// SPDX-License-Identifier: EUPL-1.2
#pragma once
// `vigie rules pending` and `vigie rules accept ID`: the Sigma rules peers sent as
// indicators (federation/sharing/sigma_indicators.hpp), reviewed from the command line.
#include <string>
#include <vector>

namespace vigie {

struct RulesPendingOptions {
    std::string store;
    std::vector<std::string> rule_paths{"rules"};
};
struct RulesAcceptOptions {
    std::string store;
    std::string indicator_id;
    std::string into = "rules/federation";
    std::vector<std::string> rule_paths{"rules"};
};
int run_rules_pending(const RulesPendingOptions& options);
int run_rules_accept(const RulesAcceptOptions& options);

}  // namespace vigie
