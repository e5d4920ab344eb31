// SPDX-License-Identifier: EUPL-1.2
// Clauses with many simple values are tested by one Hyperscan scan (LiteralSet): the
// answers must be exactly those of the value-by-value glob matching, anchors included.
#include <doctest/doctest.h>

#include "tests/support/sigma_harness.hpp"

using vigie::test::SigmaHarness;

namespace {

std::string rule(const std::string& selection) {
    return "title: t\nid: r1\nlogsource: {product: windows}\ndetection:\n  sel:\n" + selection +
           "  condition: sel\n";
}

}  // namespace

TEST_CASE("a literal set keeps each value's anchors") {
    SigmaHarness h(
        rule("    - V|endswith: ['abc', '.exe', '.dll', '.sys']\n"
             "    - W|startswith: ['abc', 'c:\\', 'd:\\', 'e:\\']\n"
             "    - X: ['abc', 'one', 'two', 'three']\n"
             "    - Y|contains: ['abc', 'four', 'five', 'six']\n"));
    REQUIRE(h.errors().empty());
    // endswith: an earlier occurrence does not count, the last one does.
    CHECK(h.matches(R"({"V":"abcXabc"})"));
    CHECK_FALSE(h.matches(R"({"V":"abcX"})"));
    CHECK(h.matches(R"({"V":"C:\\A.EXE"})"));
    // startswith: only at the start.
    CHECK(h.matches(R"({"W":"ABCdef"})"));
    CHECK_FALSE(h.matches(R"({"W":"xabc"})"));
    // equals: the whole value.
    CHECK(h.matches(R"({"X":"ABC"})"));
    CHECK_FALSE(h.matches(R"({"X":"abcd"})"));
    CHECK_FALSE(h.matches(R"({"X":"xabc"})"));
    // contains: anywhere.
    CHECK(h.matches(R"({"Y":"xxABCxx"})"));
    CHECK_FALSE(h.matches(R"({"Y":"ab c"})"));
    // Any value of a multi-valued field.
    CHECK(h.matches(R"({"V":["x","y.dll"]})"));
    CHECK_FALSE(h.matches(R"({"V":["x","y.dl"]})"));
}

TEST_CASE("a literal set respects |cased per value and leaves wildcards to the glob matcher") {
    SigmaHarness h(rule("    V|cased|contains: ['Abc', 'Def', 'Ghi', 'Jkl']\n"));
    CHECK(h.matches(R"({"V":"xAbcx"})"));
    CHECK_FALSE(h.matches(R"({"V":"xabcx"})"));
    SigmaHarness mixed(
        rule("    V:\n      - '*a?c*'\n      - 'one*two'\n      - '*three'\n      - 'four*'\n"
             "      - 'five'\n      - '*six*'\n      - ''\n"));
    CHECK(mixed.matches(R"({"V":"xaXcx"})"));        // general shape: the glob matcher
    CHECK(mixed.matches(R"({"V":"one and two"})"));  // general shape
    CHECK(mixed.matches(R"({"V":"FOUR!"})"));
    CHECK(mixed.matches(R"({"V":""})"));  // the empty value is not a literal
    CHECK_FALSE(mixed.matches(R"({"V":"sevenfive"})"));
    CHECK_FALSE(mixed.matches(R"({"V":"three!"})"));
}

TEST_CASE("keyword lists use a literal set over every string") {
    SigmaHarness h(
        "title: t\nid: k\nlogsource: {product: windows}\ndetection:\n"
        "  keywords: ['mimikatz', 'sekurlsa', 'kerberos::golden', 'lsadump::']\n"
        "  condition: keywords\n");
    CHECK(h.matches(R"({"a":{"b":["x","run SEKURLSA::logonpasswords"]}})"));
    CHECK_FALSE(h.matches(R"({"a":"mimi katz"})"));
}
