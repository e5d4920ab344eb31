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

#include "core/result.hpp"

namespace vigie::stix {

struct Pattern;  // the AST, in federation/stix/pattern_ast.hpp

// The pattern, or an Error: its message says where ("column 17: expected ']' to close the
// observation expression ...") and where.column is that column (1-based, in bytes; no file,
// no line: a pattern is one line of its own).
using PatternParse = Result<std::shared_ptr<const Pattern>>;

PatternParse parse_pattern(std::string_view text);

}  // namespace vigie::stix
