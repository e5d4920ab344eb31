#pragma once
// Exact evaluation of a compiled rule's condition on one event.
#include "detector/predicate.hpp"
#include "detector/rule.hpp"

namespace vigie {

bool clause_matches(const FieldClause& clause, EvalContext& ctx);
bool selection_matches(const Selection& selection, EvalContext& ctx);
bool condition_matches(const Rule& rule, EvalContext& ctx);

}  // namespace vigie
