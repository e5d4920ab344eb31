// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Exact evaluation of a compiled rule's condition on one event, in Kleene's three-valued
// logic: a test that could not be decided (Truth::Unknown, a regex over its limit) stays
// Unknown through and, or and not unless the other operands decide the result, so that
// an undecided filter under "not" cannot silence a rule any more than an undecided
// selection can. The caller fires a rule whose condition is Yes or Unknown.
#include "detector/predicate.hpp"
#include "detector/rule.hpp"

namespace vigie {

Truth clause_matches(const FieldClause& clause, EvalContext& ctx);
Truth selection_matches(const Selection& selection, EvalContext& ctx);
Truth condition_matches(const Rule& rule, EvalContext& ctx);

}  // namespace vigie
