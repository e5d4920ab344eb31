// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Parses a Sigma condition ("selection and not 1 of filter_*") into a Condition tree.
// Precedence: not > and > or; "N of X*", "all of them", parentheses.
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "detector/rule.hpp"

namespace vigie {

struct ConditionError {
    size_t offset = 0;  // 0-based byte offset in the condition text
    std::string message;
};

// Appends the parsed expression to `out.nodes` and returns its root index, or an error.
std::variant<uint32_t, ConditionError> parse_condition(std::string_view text,
                                                       const std::vector<std::string>& selections,
                                                       Condition& out);

}  // namespace vigie
