// SPDX-License-Identifier: EUPL-1.2
#pragma once
// What the configuration tests read back from a YAML text: the reader's diagnostics.
#include <doctest/doctest.h>

#include <string>

#include "app/config/config_reader.hpp"

namespace vigie::test {

// The formatted diagnostics of reading `yaml` as vigie.yaml, one per line; "" when there
// are none. Checks, as it goes, that the reader gives a configuration exactly then.
inline std::string config_errors(const std::string& yaml) {
    Diagnostics diags;
    auto config = ConfigReader("vigie.yaml", diags).read(yaml);
    std::string out;
    for (const auto& d : diags) out += d.format() + "\n";
    CHECK(config.has_value() == out.empty());
    return out;
}

}  // namespace vigie::test
