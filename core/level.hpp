// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The severity of a detection, Sigma's `level`: rules, alerts, output filters and metrics
// all speak of it, so it sits below all of them.
#include <cstdint>
#include <optional>
#include <string_view>

namespace vigie {

enum class Level : uint8_t { Informational, Low, Medium, High, Critical };
std::optional<Level> parse_level(std::string_view text);
std::string_view level_name(Level level);

}  // namespace vigie
