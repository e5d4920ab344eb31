// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Sigma rules that arrive as indicators (pattern_type "sigma"): each is checked like a
// rule file, and becomes a rule only when accepted, by an analyst (`vigie rules pending`,
// `vigie rules accept ID`) or at once for peers configured for it
// (ServeIndicators). An accepted rule is
// written as <rules dir>/<rule id>.yml, never over a local rule with the same id.
#include <string>
#include <utility>
#include <vector>

#include "core/diagnostic.hpp"
#include "core/result.hpp"
#include "federation/indicators/indicator_store.hpp"
#include "federation/stix/tlp.hpp"

namespace vigie {

struct SigmaIndicator {
    std::string indicator_id;
    std::string source;
    std::string name;
    std::string rule_id;  // empty when it does not parse
    std::string title;
    std::string yaml;
    Diagnostics problems;  // from the rule parser, named after the indicator
    bool accepted = false;
    stix::Tlp tlp = stix::Tlp::Amber;  // the indicator's: its rule's alerts carry it as a tag
};

// Every sigma indicator of the store, checked.
std::vector<SigmaIndicator> sigma_indicators(const IndicatorStore& store);

// (rule id, file) of every rule over the local rule paths.
std::vector<std::pair<std::string, std::string>> local_rule_ids(
    const std::vector<std::string>& paths);

// Writes the rule into `rules_dir` (created) and marks it accepted; refused when it has
// problems or when a rule with its id already exists in `local_rule_paths` (other than the
// file this would write). The rule is written with the indicator's TLP among its tags
// ("tlp:red"), so that its alerts keep the TLP the forwarding outputs enforce. The value
// says what was written ("rule ID written to FILE"); an error, why not.
Result<std::string> accept_sigma_indicator(IndicatorStore& store, const SigmaIndicator& rule,
                                           const std::string& rules_dir,
                                           const std::vector<std::string>& local_rule_paths);

}  // namespace vigie
