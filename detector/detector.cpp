#include "detector/detector.hpp"

#include "detector/rule_evaluator.hpp"

namespace vigie {

Detector::Detector(std::shared_ptr<const Ruleset> ruleset)
    : ruleset_(std::move(ruleset)), prefilter_(ruleset_->prefilter(), ruleset_->rules().size()) {}

void Detector::detect(std::vector<uint32_t>& matches) {
    EvalContext ctx{event_, ruleset_->fields(), regex_};
    const auto& rules = ruleset_->rules();
    for (uint32_t r : prefilter_.candidates(event_, ruleset_->fields())) {
        if (condition_matches(rules[r].rule, ctx)) matches.push_back(r);
    }
}

}  // namespace vigie
