// SPDX-License-Identifier: EUPL-1.2
#pragma once
// One count of the rules, said the same way by the start-up log, a reload, /readyz and the
// metrics: "14 rules read, 12 in use, 2 inactive". A rule is in use when it can match;
// inactive when it compiled but its logsource names a product the mapping does not cover
// (a Linux rule under the windows mapping), so it never runs; refused when its document
// gave no rule (with an error, which stops start-up and a reload).
#include <cstdint>
#include <string>

#include "detector/ruleset.hpp"

namespace vigie {

struct RuleCounts {
    uint64_t read = 0;      // rule documents in the rule files
    uint64_t in_use = 0;    // compiled and active: what /readyz and vigie_rules_loaded say
    uint64_t inactive = 0;  // compiled, never evaluated: product not in the mapping
    uint64_t refused = 0;   // documents that gave no rule

    static RuleCounts of(const Ruleset& ruleset, uint64_t documents) {
        RuleCounts c;
        c.read = documents;
        c.in_use = ruleset.active_rules();
        c.inactive = ruleset.rules().size() - c.in_use;
        c.refused = documents > ruleset.rules().size() ? documents - ruleset.rules().size() : 0;
        return c;
    }

    // "14 rules read, 12 in use, 2 inactive (their logsource's product is not covered by
    // the mapping)"
    [[nodiscard]] std::string text() const {
        std::string out =
            std::to_string(read) + " rules read, " + std::to_string(in_use) + " in use";
        if (inactive > 0)
            out += ", " + std::to_string(inactive) +
                   " inactive (their logsource's product is not covered by the mapping)";
        if (refused > 0) out += ", " + std::to_string(refused) + " refused";
        return out;
    }
};

}  // namespace vigie
