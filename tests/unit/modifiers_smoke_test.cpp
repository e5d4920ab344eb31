#include <doctest/doctest.h>

#include "tests/support/sigma_harness.hpp"

using vigie::test::SigmaHarness;

TEST_CASE("contains matches a substring, case-insensitively") {
    SigmaHarness h(R"(
title: t
id: r1
logsource: {product: windows}
detection:
  sel:
    CommandLine|contains: 'whoami'
  condition: sel
)");
    CHECK(h.matches(R"({"CommandLine":"cmd /c WHOAMI /all"})"));
    CHECK_FALSE(h.matches(R"({"CommandLine":"cmd /c who ami"})"));
    CHECK_FALSE(h.matches(R"({"Other":"whoami"})"));
}
