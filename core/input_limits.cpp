// SPDX-License-Identifier: EUPL-1.2
#include "core/input_limits.hpp"

#include <string>

namespace vigie {
namespace {
InputLimits g_limits;
std::string g_nesting_text = "nested deeper than 64 levels";
}  // namespace

const InputLimits& input_limits() {
    return g_limits;
}

void configure_input_limits(const InputLimits& limits) {
    g_limits = limits;
    g_nesting_text = "nested deeper than " + std::to_string(limits.max_nesting_depth) + " levels";
}

const char* nesting_error_text() {
    return g_nesting_text.c_str();
}

}  // namespace vigie
