// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Finds, for a compiled rule, what the prefilter can require of an event before the rule
// is worth evaluating: a conjunction of trigger sets (the rule cannot match unless every
// set has one pattern that occurs), best first. nullopt when there is none, e.g. a rule
// that is only a negation or a number comparison.
#include <optional>

#include "detector/prefilter.hpp"
#include "detector/rule.hpp"

namespace vigie {

// Selections from index `first_logsource_selection` on are the logsource conditions the
// compiler attached: they hold for most events of their kind, so they are used as
// requirements but never chosen first while the rule's own detection has one.
std::optional<TriggerPlan> rule_triggers(const Rule& rule, uint32_t first_logsource_selection);

}  // namespace vigie
