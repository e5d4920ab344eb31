// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Evaluates a STIX pattern against an observation set (STIX 2.1 section 9.6), the way the
// OASIS reference matcher does (oasis-open/cti-pattern-matcher): each observed-data counts
// as number_observed observations; a match is a binding of distinct observations to the
// pattern's observation expressions that satisfies its operators and qualifiers.
#include <cstddef>
#include <string>
#include <vector>

#include "federation/stix/observation_set.hpp"
#include "federation/stix/pattern_ast.hpp"

namespace vigie::stix {

struct EvalLimits {
    size_t max_steps = 2'000'000;   // combinations examined, over the whole evaluation
    size_t max_bindings = 100'000;  // bindings alive at any one node
};

struct EvalResult {
    enum class Status {
        Match,
        NoMatch,
        LimitHit,     // neither: the search was cut (detail says where)
        Unsupported,  // neither: a part this evaluator does not implement (detail names it)
    };
    Status status = Status::NoMatch;
    // The observed-data that took part in any binding found, in input order.
    std::vector<std::string> observed_data_ids;
    std::string detail;
};

EvalResult evaluate(const Pattern& pattern, const ObservationSet& set, EvalLimits limits = {});

}  // namespace vigie::stix
