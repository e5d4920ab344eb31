// SPDX-License-Identifier: EUPL-1.2
// Bad rules: each problem is one error "file:line:col: rule <id>: message" pointing at the
// place in the YAML text (1-based line and column), the bad rule is left out, and the
// rules before and after it in the same multi-document text still load and match.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/sigma_harness.hpp"
#include "tests/unit/good_rule_after.hpp"

using vigie::Severity;
using vigie::test::kGoodAfter;
using vigie::test::SigmaHarness;

namespace {

// Eight lines: the document under test starts on line 9 of the text.
constexpr std::string_view kGoodBefore = R"(title: good before
id: good-1
logsource: {product: test}
detection:
  sel:
    A: '1'
  condition: sel
---
)";

size_t error_count(const SigmaHarness& h) {
    return static_cast<size_t>(
        std::count_if(h.diagnostics().begin(), h.diagnostics().end(),
                      [](const auto& d) { return d.severity == Severity::Error; }));
}

// Loads good-1, `bad` and good-2 as one text. The only error must start with `expected`
// ("<test rule>:line:col: rule <id>: message...") and both good rules must still work.
void check_located(std::string_view bad, const std::string& expected) {
    SigmaHarness h(std::string(kGoodBefore) + std::string(bad) + std::string(kGoodAfter));
    INFO("errors: " << h.errors());
    CHECK(error_count(h) == 1);
    CHECK(h.errors().starts_with(expected));
    CHECK(h.rules_loaded() == 2);
    CHECK(h.matching_ids(R"({"A":"1","B":"1"})") == std::vector<std::string>{"good-1", "good-2"});
}

}  // namespace

TEST_CASE("a document that is not valid YAML") {
    // An unquoted value with ': ' in it; the second ':' (column 33 of line 14) is the error.
    check_located(R"(title: broken YAML
id: not-yaml
logsource: {product: test}
detection:
  sel:
    CommandLine: cmd.exe /c echo: hello
  condition: sel
)",
                  "<test rule>:14:33: rule not-yaml: not valid YAML: illegal map value");

    // Not YAML at all: a flow map never closed, reported where the document ends (line 2).
    SigmaHarness h("{{{ this is not yaml\n" + std::string(kGoodAfter));
    CHECK(error_count(h) == 1);
    CHECK(h.errors().starts_with("<test rule>:2:1: not valid YAML"));
    CHECK(h.matching_ids(R"({"B":"1"})") == std::vector<std::string>{"good-2"});
}

TEST_CASE("a condition naming a selection that does not exist") {
    // 'filter' starts on column 32 of line 15.
    check_located(R"(title: missing selection
id: missing-selection
logsource: {product: test}
detection:
  selection:
    A: '1'
  condition: selection and not filter
)",
                  "<test rule>:15:32: rule missing-selection: condition: condition names 'filter', "
                  "which is not a selection of this rule");
    // Quoted: one column further right.
    check_located(R"(title: missing selection
id: missing-selection
logsource: {product: test}
detection:
  selection:
    A: '1'
  condition: 'selection and not filter'
)",
                  "<test rule>:15:33: rule missing-selection: condition: condition names 'filter'");
    // In a list of conditions: the second item, line 17, 'filter' on column 20.
    check_located(R"(title: missing selection
id: missing-selection
logsource: {product: test}
detection:
  selection:
    A: '1'
  condition:
    - selection
    - selection or filter
)",
                  "<test rule>:17:20: rule missing-selection: condition: condition names 'filter'");
}

TEST_CASE("a condition written over two lines is located at its start") {
    // The plain scalar is folded into one line; it starts on column 14 of line 15.
    check_located(R"(title: missing selection
id: missing-selection
logsource: {product: test}
detection:
  selection:
    A: '1'
  condition: selection and
    not filter
)",
                  "<test rule>:15:14: rule missing-selection: condition: condition names 'filter'");
}

TEST_CASE("a condition with an unclosed bracket") {
    // The ')' is missing at the end of the condition: column 33 of line 15.
    check_located(R"(title: unclosed
id: unclosed-bracket
logsource: {product: test}
detection:
  sel:
    A: '1'
  condition: sel and (sel or sel
)",
                  "<test rule>:15:33: rule unclosed-bracket: condition: missing ')'");
}

TEST_CASE("an unknown modifier") {
    // Reported at the key, column 5 of line 14.
    check_located(R"(title: bad modifier
id: bad-modifier
logsource: {product: test}
detection:
  sel:
    Image|endswith|frobnicate: x.exe
  condition: sel
)",
                  "<test rule>:14:5: rule bad-modifier: unknown modifier 'frobnicate'");
}

TEST_CASE("a regex PCRE2 rejects") {
    // Reported at the value, the opening quote on column 21 of line 14.
    check_located(R"(title: bad regex
id: bad-regex
logsource: {product: test}
detection:
  sel:
    CommandLine|re: 'a(b'
  condition: sel
)",
                  "<test rule>:14:21: rule bad-regex: regex rejected by PCRE2 at offset 3: ");
}

TEST_CASE("a rule without detection, a detection without condition") {
    // No detection: reported at the rule, line 9.
    check_located(R"(title: no detection
id: no-detection
logsource: {product: test}
level: high
)",
                  "<test rule>:9:1: rule no-detection: the rule has no detection");
    // No condition: reported at the detection key, line 12.
    check_located(R"(title: no condition
id: no-condition
logsource: {product: test}
detection:
  sel:
    A: '1'
level: high
)",
                  "<test rule>:12:1: rule no-condition: detection has no condition");
    // An empty condition: reported at the condition key, column 3 of line 15.
    check_located(R"(title: empty condition
id: empty-condition
logsource: {product: test}
detection:
  sel:
    A: '1'
  condition:
)",
                  "<test rule>:15:3: rule empty-condition: the condition is empty");
}

TEST_CASE("a cidr value that is not a network") {
    // The value on column 25 of line 14.
    check_located(R"(title: bad cidr
id: bad-cidr
logsource: {product: test}
detection:
  sel:
    DestinationIp|cidr: 10.0.0.0/33
  condition: sel
)",
                  "<test rule>:14:25: rule bad-cidr: '10.0.0.0/33' is not an IPv4 or IPv6 network");
    // The second value of a list: column 9 of line 16.
    check_located(R"(title: bad cidr
id: bad-cidr
logsource: {product: test}
detection:
  sel:
    DestinationIp|cidr:
      - 10.0.0.0/8
      - 300.1.2.3/8
  condition: sel
)",
                  "<test rule>:16:9: rule bad-cidr: '300.1.2.3/8' is not an IPv4 or IPv6 network");
}

TEST_CASE("a gt value that is not a number") {
    // The value on column 15 of line 14.
    check_located(R"(title: bad number
id: bad-number
logsource: {product: test}
detection:
  sel:
    Count|gt: ten
  condition: sel
)",
                  "<test rule>:14:15: rule bad-number: 'ten' is not a number");
}
