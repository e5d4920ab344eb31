// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The rule the bad-rule tests load after the one under test, to show that loading goes on.
#include <string_view>

namespace vigie::test {

// A valid rule, good-2 (it matches {"B":"1"}), as a YAML document of its own.
inline constexpr std::string_view kGoodAfter = R"(---
title: good after
id: good-2
logsource: {product: test}
detection:
  sel:
    B: '1'
  condition: sel
)";

}  // namespace vigie::test
