// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The bounds on a configuration's YAML, checked on the parser's events before any node
// tree is built: how deep it nests (input_limits().max_nesting_depth) and how many nodes it
// expands to once aliases are resolved (input_limits().max_rule_nodes). On events, the
// check stops the parser at the bound (yaml-cpp's own recursion never goes deeper) and an
// alias costs one step whatever it expands to: a billion-laughs file is measured, not
// expanded.
#include <cstdint>
#include <string>

#include "core/result.hpp"

namespace vigie {

// An error (nesting_error_text(), or the expansion; its line and column where the bound was
// passed, no file) when the first document of `text` passes a bound. A syntax error is
// thrown as YAML::ParserException, as YAML::Load would.
Status check_yaml_bounds_on_events(const std::string& text, uint32_t max_depth, uint64_t max_nodes);

}  // namespace vigie
