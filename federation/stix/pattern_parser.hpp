// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The STIX 2.1 patterning language (specification section 9): text -> Pattern (the AST
// in federation/stix/pattern_ast.hpp). Bad input of any kind is a value (column and reason), never
// an exception, and brackets and parentheses nest at most
// vigie::input_limits().max_nesting_depth deep ("column 65: nested deeper than 64 levels"),
// so that no input can exhaust the stack.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace vigie::stix {

struct Pattern;  // the AST, in federation/stix/pattern_ast.hpp

struct PatternError {
    uint32_t column = 0;  // 1-based, in bytes; where the problem was found
    std::string message;  // "column 17: expected ']' to close the observation expression ..."
};

struct PatternParse {
    std::shared_ptr<const Pattern> pattern;  // null on error
    PatternError error;
    [[nodiscard]] bool ok() const { return pattern != nullptr; }
};

PatternParse parse_pattern(std::string_view text);

}  // namespace vigie::stix
