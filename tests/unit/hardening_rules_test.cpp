// SPDX-License-Identifier: EUPL-1.2
// Issue 17, items 1, 9 and 10, for Sigma rules: conditions and YAML nested too deep, a regex
// that runs into its match limit, and a rule that YAML aliases expand past its bounds.
// Every refusal is a located error naming the rule; nothing crashes or stalls.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/input_limits.hpp"
#include "detector/regex_risk.hpp"
#include "federation/stix/observation_set.hpp"
#include "federation/stix/pattern_eval.hpp"
#include "federation/stix/pattern_parser.hpp"
#include "federation/stix/pattern_regex.hpp"
#include "pipeline/alerts/alert_format.hpp"
#include "tests/support/sigma_harness.hpp"
#include "tests/unit/good_rule_after.hpp"

using vigie::Severity;
using vigie::test::kGoodAfter;
using vigie::test::SigmaHarness;

namespace {

std::string repeat(std::string_view s, size_t n) {
    std::string out;
    for (size_t i = 0; i < n; ++i) out += s;
    return out;
}

std::string rule_with_condition(const std::string& condition) {
    return "title: deep\nid: deep-1\nlogsource: {product: test}\ndetection:\n  sel:\n"
           "    A: '1'\n  condition: " +
           condition + "\n";
}

// The one error of `h`, which must be about `rule_id` and hold `text`; good-2 still loads.
void check_refused(const SigmaHarness& h, const std::string& rule_id, const std::string& text) {
    INFO("errors: " << h.errors());
    CHECK(h.errors().find("rule " + rule_id + ": ") != std::string::npos);
    CHECK(h.errors().find(text) != std::string::npos);
    CHECK(h.errors().starts_with("<test rule>:"));
    CHECK(h.rules_loaded() == 1);
}

const std::string kNesting = "nested deeper than 64 levels";

}  // namespace

TEST_CASE("hardening item 1: a condition nested deeper than the limit is refused at its column") {
    const std::string deep = repeat("(", 100) + "sel" + repeat(")", 100);
    SigmaHarness h(rule_with_condition(deep) + std::string(kGoodAfter));
    check_refused(h, "deep-1", "condition: " + kNesting);
    // Line 7; the condition starts at column 14 and the 65th '(' is 64 columns further.
    CHECK(h.errors().starts_with("<test rule>:7:78: rule deep-1: "));
}

TEST_CASE("hardening item 1: a chain of 'not' is bounded like parentheses") {
    SigmaHarness h(rule_with_condition(repeat("not ", 200) + "sel") + std::string(kGoodAfter));
    check_refused(h, "deep-1", "condition: " + kNesting);
}

TEST_CASE("hardening item 1: a condition at the nesting limit still loads") {
    SigmaHarness h(rule_with_condition(repeat("(", 63) + "sel" + repeat(")", 63)));
    CHECK(h.errors().empty());
    CHECK(h.matches(R"({"A":"1"})"));
}

TEST_CASE("hardening item 1: '1 of' with a pattern of many stars is answered at once") {
    // A recursive glob over selection names was exponential in the stars.
    SigmaHarness h(rule_with_condition("1 of " + repeat("*", 40) + "x"));
    CHECK(h.errors().find("matches no selection") != std::string::npos);
}

TEST_CASE("hardening item 1: YAML nested deeper than the limit is refused with its place") {
    const std::string rule =
        "title: deep yaml\nid: deep-yaml\nlogsource: {product: test}\n"
        "detection:\n  sel:\n    A: " +
        repeat("[", 100) + "'1'" + repeat("]", 100) + "\n  condition: sel\n";
    SigmaHarness h(rule + std::string(kGoodAfter));
    check_refused(h, "deep-yaml", kNesting);
    CHECK(h.errors().starts_with("<test rule>:6:"));
}

TEST_CASE(
    "hardening item 1: YAML past yaml-cpp's own bound (2000 levels) is an error, not a crash") {
    const std::string rule =
        "title: very deep\nid: very-deep\nlogsource: {product: test}\n"
        "detection:\n  sel:\n    A: " +
        repeat("[", 5000) + repeat("]", 5000) + "\n  condition: sel\n";
    SigmaHarness h(rule + std::string(kGoodAfter));
    check_refused(h, "very-deep", "not valid YAML: " + kNesting);
}

TEST_CASE("hardening item 10: a billion-laughs rule is refused while it is walked") {
    // 10 x 10 x ... : 10^7 values from 1 KB, through aliases.
    std::string rule =
        "title: laughs\nid: laughs-1\nlogsource: {product: test}\n"
        "l0: &l0 ['a','b','c','d','e','f','g','h','i','j']\n";
    for (int level = 1; level <= 7; ++level) {
        const std::string prev = "*l" + std::to_string(level - 1);
        const std::string name = std::to_string(level);
        rule += 'l';
        rule += name;
        rule += ": &l";
        rule += name;
        rule += " [";
        rule += repeat(prev + ",", 9);
        rule += prev;
        rule += "]\n";
    }
    rule += "detection:\n  sel:\n    A: *l7\n  condition: sel\n";
    SigmaHarness h(rule + std::string(kGoodAfter));
    check_refused(h, "laughs-1", "more than 100000 YAML nodes");
    CHECK(h.errors().find("max_rule_nodes") != std::string::npos);
}

TEST_CASE("hardening item 10: a rule that compiles to too many value tests is refused") {
    // 300 fields x 100 values: 30,000 tests, under the node bound, over max_rule_values.
    std::string rule = "title: wide\nid: wide-1\nlogsource: {product: test}\nvalues: &v [";
    for (int i = 0; i < 100; ++i) rule += (i ? ",'v" : "'v") + std::to_string(i) + "'";
    rule += "]\ndetection:\n  sel:\n";
    for (int f = 0; f < 300; ++f) rule += "    F" + std::to_string(f) + ": *v\n";
    rule += "  condition: sel\n";
    SigmaHarness h(rule + std::string(kGoodAfter));
    check_refused(h, "wide-1", "more than 20000 value tests (the bound max_rule_values)");
}

namespace {

const std::string kPadding = std::string(21, 'a') + "!";

// The issue's regex, (.*a){20}, or another one.
std::string regex_rule(const std::string& condition, const std::string& regex = "(.*a){20}") {
    return "title: re\nid: re-1\nlogsource: {product: test}\ndetection:\n"
           "  sel:\n    A|re: '" +
           regex + "'\n  plain:\n    B: '1'\n  condition: " + condition + "\n";
}

}  // namespace

TEST_CASE("hardening item 9: a regex over its match limit fires the rule (fail-closed)") {
    SigmaHarness h(regex_rule("sel"));
    REQUIRE(h.errors().empty());
    CHECK(h.matches(R"({"A":")" + kPadding + R"("})"));
    CHECK_FALSE(h.matches(R"({"A":"bbb"})"));
    // ^(a+)+$ decides "aaaa" and "aaab" at once.
    SigmaHarness classic(regex_rule("sel", "^(a+)+$"));
    CHECK(classic.matches(R"({"A":"aaaa"})"));
    CHECK_FALSE(classic.matches(R"({"A":"aaab"})"));
}

TEST_CASE("hardening item 9: an undecided filter under 'not' cannot silence the rule") {
    SigmaHarness h(regex_rule("plain and not sel", "^(a+)+$"));
    REQUIRE(h.errors().empty());
    CHECK(h.matches(R"({"B":"1","A":")" + std::string(40, 'a') + R"(!"})"));
    CHECK(h.matches(R"({"B":"1","A":"b"})"));
    CHECK_FALSE(h.matches(R"({"B":"1","A":"aaaa"})"));  // decided: filtered
    // Decided by another operand: "and" with a false side is false whatever the regex.
    SigmaHarness both(regex_rule("plain and sel"));
    CHECK_FALSE(both.matches(R"({"B":"2","A":")" + kPadding + R"("})"));
}

TEST_CASE("hardening item 9: the detector says which rules hit the limit and fired undecided") {
    SigmaHarness h(regex_rule("sel"));
    vigie::Detector detector(h.ruleset());
    vigie::EventParser parser(detector.ruleset().trie(), detector.ruleset().needs_all_strings());
    auto detect = [&](const std::string& event, std::vector<uint32_t>& out) {
        std::string buffer = event + std::string(64, ' ');
        vigie::RawDocument doc{buffer.data(), event.size(), buffer.size(), 1, 0};
        REQUIRE(parser.parse(doc, detector.event()).empty());
        out.clear();
        detector.detect(out);
    };
    std::vector<uint32_t> matches;
    detect(R"({"A":")" + kPadding + R"("})", matches);
    REQUIRE(matches.size() == 1);
    CHECK(detector.undecided(matches[0]));
    CHECK(detector.regex_limit_rules().size() == 1);
    CHECK(detector.regex_limit_hits() == 1);
    detect(R"({"A":"aaaa"})", matches);
    CHECK(matches.empty());
    CHECK(detector.regex_limit_rules().empty());
}

TEST_CASE("hardening item 9: an undecided alert says so in its JSON") {
    vigie::Rule rule;
    rule.id = "re-1";
    rule.title = "re";
    vigie::Alert alert{rule, "input", 0, 1, R"({"A":"x"})"};
    vigie::JsonlAlertFormat format;
    std::string decided;
    format.append(alert, decided);
    CHECK(decided.find("undecided") == std::string::npos);
    alert.undecided = true;
    std::string undecided;
    format.append(alert, undecided);
    CHECK(undecided.find(R"(,"undecided":true)") != std::string::npos);
}

TEST_CASE("hardening item 9: a STIX MATCHES over its limit holds, NOT MATCHES too") {
    using namespace vigie::stix;
    const std::string bundle =
        R"({"type":"bundle","id":"bundle--1","objects":[)"
        R"({"type":"file","id":"file--1","name":")" +
        kPadding +
        R"("},{"type":"observed-data","id":"od-1","first_observed":"2020-01-01T00:00:00Z",)"
        R"("last_observed":"2020-01-01T00:00:00Z","number_observed":1,"object_refs":["file--1"]}]})";
    ObservationSet set;
    REQUIRE(set.add_document(bundle).ok());
    set.finish();
    const uint64_t before = PatternRegex::limit_hits();
    for (const char* pattern :
         {"[file:name MATCHES '(.*a){20}']", "[file:name NOT MATCHES '(.*a){20}']"}) {
        CAPTURE(pattern);
        PatternParse parse = parse_pattern(pattern);
        REQUIRE(parse.ok());
        CHECK(evaluate(**parse, set).status == EvalResult::Status::Match);
    }
    CHECK(PatternRegex::limit_hits() >= before + 2);
}

TEST_CASE("hardening item 9: regexes that can backtrack badly are found, others are not") {
    for (const char* risky : {"(a+)+", "(.*a){20}", "(?:\\w+\\s?)*$", "(a|aa)+", "((ab)*c)+",
                              "(.|x)*y", "(?i)(x+x+)+y"}) {
        const std::string pattern = risky;
        CAPTURE(pattern);
        CHECK(vigie::backtracking_risk(pattern).has_value());
    }
    for (const char* safe : {"^abc$", "(\\d{1,3}\\.){3}\\d{1,3}", "a+b+c", "(?:abc|def)+",
                             "(?>a+)+", "(a++)+", "[(]+x", "\\(a+\\)+", "(?i)cmd\\.exe"}) {
        const std::string pattern = safe;
        CAPTURE(pattern);
        CHECK_FALSE(vigie::backtracking_risk(pattern).has_value());
    }
}

TEST_CASE("hardening item 9: rules check warns, located, on a regex that can backtrack badly") {
    SigmaHarness h(regex_rule("sel"));
    CHECK(h.errors().empty());
    const auto& d = h.diagnostics();
    auto warning = std::find_if(d.begin(), d.end(),
                                [](const auto& x) { return x.severity == Severity::Warning; });
    REQUIRE(warning != d.end());
    CHECK(warning->format().starts_with(
        "<test rule>:6:11: warning: rule re-1: regex can backtrack badly at offset 0"));
}

TEST_CASE("hardening item 9: a regex Hyperscan rejects leaves its rule evaluated on every event") {
    // Found by fuzz_rule_loader with the catastrophic-regex seed: the prefilter read the
    // rejected expression's index after freeing Hyperscan's error (a use-after-free).
    SigmaHarness h(
        "title: re\nid: re-1\nlogsource: {product: test}\ndetection:\n"
        "  sel:\n    A|re: \"^(a+)+$\\xFF\\xFE\"\n  condition: sel\n");
    INFO("diagnostics: " << h.errors());
    const auto& d = h.diagnostics();
    CHECK(std::any_of(d.begin(), d.end(), [](const auto& x) {
        return x.message.find("prefilter: Hyperscan rejects") != std::string::npos;
    }));
    CHECK(h.rules_loaded() == 1);
    CHECK_FALSE(h.matches(R"({"A":"aaaa"})"));
}
