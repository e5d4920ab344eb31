#pragma once
// Finds, for a compiled rule, a set of prefilter patterns at least one of which must
// occur in the event for the rule to match (nullopt when there is none, e.g. a rule
// that is only a negation or a number comparison).
#include <optional>

#include "detector/prefilter.hpp"
#include "detector/rule.hpp"

namespace vigie {

std::optional<TriggerSet> rule_triggers(const Rule& rule);

}  // namespace vigie
