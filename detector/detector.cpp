#include "detector/detector.hpp"

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
    for (uint32_t r : candidates) {
        if (condition_matches(rules[r].rule, ctx)) matches.push_back(r);
    }
    return candidates.size();
}

void Detector::explain(uint32_t rule, std::vector<MatchedField>& out) {
    EvalContext ctx{event_, ruleset_->fields(), regex_, ruleset_->literal_sets(), literal_scratch_};
    explain_match(ruleset_->rules()[rule].rule, ctx, out);
}

}  // namespace vigie
