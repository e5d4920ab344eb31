// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Why a rule fired, for the alert: the selections that held and were not negated in the
// condition (filters that held are not reasons), and for each the fields of the map that
// matched with the event's value each matched (the first that does, when a key repeats).
// Computed only for rules that matched, after detect(), so the evaluation never pays for it.
#include <string_view>
#include <vector>

#include "detector/predicate.hpp"
#include "detector/rule.hpp"

namespace vigie {

struct MatchedField {
    std::string_view selection;
    std::string_view field;  // the rule's field name; "keywords" for a keyword selection
    std::string_view value;  // the event's value that matched (views into the event)
};

// Appends to `out` (cleared first); valid until the event is replaced. `positive` is the
// caller's reused scratch (one flag a selection), so that explaining an alert allocates
// nothing once the scratch has grown to the largest rule.
void explain_match(const Rule& rule, EvalContext& ctx, std::vector<bool>& positive,
                   std::vector<MatchedField>& out);

}  // namespace vigie
