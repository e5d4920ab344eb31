// SPDX-License-Identifier: EUPL-1.2
#include "detector/detector.hpp"

#include <algorithm>
#include <stdexcept>

#include "detector/rule_evaluator.hpp"

namespace vigie {

Detector::Detector(std::shared_ptr<const Ruleset> ruleset)
    : ruleset_(std::move(ruleset)), prefilter_(ruleset_->prefilter()) {
    if (ruleset_->literal_scratch_prototype() != nullptr &&
        hs_clone_scratch(ruleset_->literal_scratch_prototype(), &literal_scratch_) != HS_SUCCESS) {
        throw std::runtime_error("hs_clone_scratch failed");
    }
}

Detector::~Detector() {
    hs_free_scratch(literal_scratch_);
}

size_t Detector::detect(std::vector<uint32_t>& matches) {
    EvalContext ctx{event_, ruleset_->fields(), regex_, ruleset_->literal_sets(), literal_scratch_};
    const auto& rules = ruleset_->rules();
    const auto candidates = prefilter_.candidates(event_, ruleset_->fields());
    limit_rules_.clear();
    undecided_.clear();
    for (uint32_t r : candidates) {
        const uint64_t hits_before = regex_.limit_hits();
        const Truth t = condition_matches(rules[r].rule, ctx);
        if (regex_.limit_hits() != hits_before) limit_rules_.push_back(r);
        if (t == Truth::No) continue;
        matches.push_back(r);
        if (t == Truth::Unknown) undecided_.push_back(r);
    }
    return candidates.size();
}

bool Detector::undecided(uint32_t rule) const {
    return std::find(undecided_.begin(), undecided_.end(), rule) != undecided_.end();
}

void Detector::explain(uint32_t rule, std::vector<MatchedField>& out) {
    EvalContext ctx{event_, ruleset_->fields(), regex_, ruleset_->literal_sets(), literal_scratch_};
    explain_match(ruleset_->rules()[rule].rule, ctx, explained_selections_, out);
}

}  // namespace vigie
