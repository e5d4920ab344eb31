#pragma once
// Finds, for a compiled rule, a set of prefilter patterns at least one of which must
// occur in the event for the rule to match (nullopt when there is none, e.g. a rule
// that is only a negation or a number comparison).
#include <optional>

#include "detector/prefilter.hpp"
#include "detector/rule.hpp"

namespace vigie {

// `detection_root`: the node of the rule's own condition, before the logsource conditions
// were attached; they are used only when the detection yields no patterns.
std::optional<TriggerSet> rule_triggers(const Rule& rule, uint32_t detection_root);

}  // namespace vigie
