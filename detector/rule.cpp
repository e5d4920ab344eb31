// SPDX-License-Identifier: EUPL-1.2
#include "detector/rule.hpp"

#include <array>

namespace vigie {

namespace {
constexpr std::array<std::string_view, 5> kLevelNames = {"informational", "low", "medium", "high",
                                                         "critical"};
}

std::optional<Level> parse_level(std::string_view text) {
    for (size_t i = 0; i < kLevelNames.size(); ++i) {
        if (kLevelNames[i] == text) return static_cast<Level>(i);
    }
    return std::nullopt;
}

std::string_view level_name(Level level) {
    return kLevelNames[static_cast<size_t>(level)];
}

}  // namespace vigie
