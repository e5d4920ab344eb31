// SPDX-License-Identifier: EUPL-1.2
// The prefilter's plans: which trigger sets a rule requires, with their anchors, and
// that anchored literals and conjunctions never cost a match (each matches() call also
// evaluates without the prefilter and fails on a disagreement).
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "detector/exact_value_index.hpp"
#include "detector/field_mapping.hpp"
#include "detector/rule_parser.hpp"
#include "detector/ruleset_compiler.hpp"
#include "detector/trigger_analysis.hpp"
#include "tests/support/sigma_harness.hpp"

using vigie::test::SigmaHarness;

namespace {

// A mapping whose `test` logsource requires {Channel: Sysmon, EventID: 1}.
constexpr std::string_view kGatedMapping = R"(name: gated
products: ['*']
field_defaults: ['{field}']
logsources:
  - category: process_creation
    product: test
    conditions:
      - {Channel: Sysmon, EventID: 1}
      - {Channel: Security, EventID: 4688}
  - category: network_connection
    product: test
    conditions:
      - {Channel: Sysmon, EventID: 3}
)";

std::string rule_with(std::string_view detection, std::string_view logsource = "product: test") {
    std::string out = "title: t\nid: r1\nlogsource: {";
    out += logsource;
    out += "}\ndetection:\n";
    out += detection.substr(!detection.empty() && detection.front() == '\n' ? 1 : 0);
    return out;
}

std::string with_id(std::string_view id, std::string yaml) {
    yaml.replace(yaml.find("id: r1"), 6, "id: " + std::string(id));
    return yaml;
}

// The plan of the first rule of `yaml`, compiled against `mapping`.
std::optional<vigie::TriggerPlan> plan_of(const std::string& yaml,
                                          std::string_view mapping = vigie::test::kFlatMapping) {
    vigie::Diagnostics diags;
    auto m = vigie::FieldMapping::parse(std::string(mapping), "<test mapping>", diags);
    REQUIRE(m.has_value());
    vigie::Placeholders none;
    std::vector<vigie::Rule> rules;
    vigie::RuleParser(none, diags).parse_text(yaml, "<test rule>", rules);
    REQUIRE(rules.size() == 1);
    const auto own = static_cast<uint32_t>(rules[0].selections.size());
    vigie::CompileReport report;
    auto ruleset = vigie::RulesetCompiler(*m, diags).compile(std::move(rules), {true, ""}, report);
    return vigie::rule_triggers(ruleset->rules().at(0).rule, own);
}

}  // namespace

TEST_CASE("a literal's anchors come from its modifier") {
    auto plan = plan_of(rule_with(R"(  sel:
    a: exact
    b|startswith: header
    c|endswith: trailer
    d|contains: middle-part
  condition: sel
)"));
    REQUIRE(plan.has_value());
    REQUIRE(plan->size() == 4);
    // Best first: the longest literal, an anchor counting for two bytes.
    CHECK((*plan)[0].front().text == "middle-part");
    CHECK((*plan)[0].front().anchors == 0);
    std::map<std::string, uint8_t> anchors;
    for (const auto& set : *plan) anchors[set.front().text] = set.front().anchors;
    CHECK(anchors["exact"] == (vigie::kAnchorStart | vigie::kAnchorEnd));
    CHECK(anchors["header"] == vigie::kAnchorStart);
    CHECK(anchors["trailer"] == vigie::kAnchorEnd);
}

TEST_CASE("an anchored literal is found where its anchor is, not only where it occurs first") {
    SigmaHarness h(rule_with(R"(  sel:
    Image|endswith: '.exe'
    Name: '1'
  condition: sel
)"));
    CHECK(h.matches(R"({"Image":"a.exe.b.exe","Name":"1"})"));
    CHECK(h.matches(R"({"Image":"A.EXE","Name":1})"));
    CHECK_FALSE(h.matches(R"({"Image":"a.exe.b","Name":"1"})"));
    CHECK_FALSE(h.matches(R"({"Image":"a.exe","Name":"11"})"));
    CHECK_FALSE(h.matches(R"({"Image":"a.exe","Name":"21"})"));
}

TEST_CASE("an AND requires every side, a negated side requires nothing") {
    auto plan = plan_of(rule_with(R"(  a:
    x|contains: alpha
  b:
    y|contains: betas
  f:
    z|contains: gamma
  condition: a and b and not f
)"));
    REQUIRE(plan.has_value());
    CHECK(plan->size() == 2);
    SigmaHarness h(rule_with(R"(  a:
    x|contains: alpha
  b:
    y|contains: beta
  f:
    z|contains: gamma
  condition: a and b and not f
)"));
    CHECK(h.matches(R"({"x":"-alpha-","y":"beta"})"));
    CHECK_FALSE(h.matches(R"({"x":"-alpha-","y":"bet"})"));
    CHECK_FALSE(h.matches(R"({"x":"alpha","y":"beta","z":"gamma"})"));
    CHECK_FALSE(plan_of(rule_with("  f:\n    z: gamma\n  condition: not f\n")).has_value());
}

TEST_CASE("after the lead set, short substrings and regexes are not required") {
    auto plan = plan_of(rule_with(R"(  a:
    x|contains: 'sekurlsa::'
  b:
    y|contains: '.exe'
  c:
    z|re: 'ab+c'
  d:
    w: 'on'
  condition: a and b and c and d
)"));
    REQUIRE(plan.has_value());
    REQUIRE(plan->size() == 2);
    CHECK((*plan)[0].front().text == "sekurlsa::");
    CHECK((*plan)[1].front().text == "on");  // a whole value: a hash lookup
    // With nothing better, a short literal still leads.
    auto weak = plan_of(rule_with("  b:\n    y|contains: '.exe'\n  condition: b\n"));
    REQUIRE(weak.has_value());
    CHECK(weak->size() == 1);
}

TEST_CASE("an OR of ANDs is distributed: every pair of sides is required") {
    const std::string yaml = rule_with(R"(  a:
    p: one
    q: two
  b:
    r: three
    s: four
  condition: a or b
)");
    auto plan = plan_of(yaml);
    REQUIRE(plan.has_value());
    CHECK(plan->size() == 4);
    for (const auto& set : *plan) CHECK(set.size() == 2);
    SigmaHarness h(yaml);
    CHECK(h.matches(R"({"p":"one","q":"two"})"));
    CHECK(h.matches(R"({"r":"three","s":"four"})"));
    CHECK_FALSE(h.matches(R"({"p":"one","s":"four"})"));
    CHECK_FALSE(h.matches(R"({"q":"two","r":"three"})"));
}

TEST_CASE("|all makes each value a requirement") {
    const std::string yaml = rule_with(R"(  sel:
    CommandLine|contains|all: [' -enc ', 'hidden', 'bypass']
  condition: sel
)");
    auto plan = plan_of(yaml);
    REQUIRE(plan.has_value());
    CHECK(plan->size() == 3);
    SigmaHarness h(yaml);
    CHECK(h.matches(R"({"CommandLine":"ps -w hidden -ep bypass -enc AAA"})"));
    CHECK_FALSE(h.matches(R"({"CommandLine":"ps -w hidden -enc AAA"})"));
}

TEST_CASE("logsource conditions are required but ranked after the rule's own literals") {
    const std::string yaml = rule_with(R"(  sel:
    Image|endswith: '\whoami.exe'
  condition: sel
)",
                                       "category: process_creation, product: test");
    auto plan = plan_of(yaml, kGatedMapping);
    REQUIRE(plan.has_value());
    REQUIRE(plan->size() >= 2);
    CHECK((*plan)[0].front().text == "\\whoami.exe");
    SigmaHarness h(yaml, kGatedMapping);
    CHECK(h.matches(R"({"Channel":"Sysmon","EventID":1,"Image":"C:\\x\\whoami.exe"})"));
    CHECK(h.matches(R"({"Channel":"Security","EventID":4688,"Image":"C:\\x\\whoami.exe"})"));
    CHECK_FALSE(h.matches(R"({"Channel":"Sysmon","EventID":11,"Image":"C:\\x\\whoami.exe"})"));
    CHECK_FALSE(h.matches(R"({"Channel":"Sysmon","EventID":4688,"Image":"C:\\x\\whoami.exe"})"));
    CHECK_FALSE(h.matches(R"({"Channel":"Security","EventID":1,"Image":"C:\\x\\whoami.exe"})"));
}

TEST_CASE("keyword literals carry no anchors: the event's strings are scanned joined") {
    auto plan = plan_of(rule_with(R"(  kw:
    - 'exactly this'
  condition: kw
)"));
    REQUIRE(plan.has_value());
    REQUIRE(plan->size() == 1);
    CHECK((*plan)[0].front().anchors == 0);
    SigmaHarness h(rule_with("  kw:\n    - 'exactly this'\n  condition: kw\n"));
    CHECK(h.matches(R"({"a":"x","b":"exactly this"})"));
    CHECK_FALSE(h.matches(R"({"a":"exactly","b":"this"})"));
}

TEST_CASE("whole-value literals are looked up, with and without case") {
    vigie::ExactValueIndex index({{"Sysmon", true, {1}},
                                  {"SYSMON", true, {2}},
                                  {"Sysmon", false, {3}},
                                  {"4688", true, {4, 1}}});
    CHECK(index.size() == 3);
    std::vector<uint32_t> got;
    std::string fold;
    auto collect = [&](std::string_view v) {
        got.clear();
        index.find(v, fold, [&](uint32_t s) { got.push_back(s); });
        std::sort(got.begin(), got.end());
        return got;
    };
    CHECK(collect("sysmon") == std::vector<uint32_t>{1, 2});
    CHECK(collect("Sysmon") == std::vector<uint32_t>{1, 2, 3});
    CHECK(collect("4688") == std::vector<uint32_t>{1, 4});
    CHECK(collect("sysmon ").empty());
    CHECK(collect("").empty());

    const std::string yaml = rule_with(R"(  sel:
    Channel: Sysmon
    Mode|cased: AbC
  condition: sel
)");
    SigmaHarness h(yaml);
    CHECK(h.matches(R"({"Channel":"SYSMON","Mode":"AbC"})"));
    CHECK_FALSE(h.matches(R"({"Channel":"sysmon","Mode":"abc"})"));
    CHECK_FALSE(h.matches(R"({"Channel":"sysmon2","Mode":"AbC"})"));
}

TEST_CASE("every rule of a logsource keeps all its logsource sets, however long its plan") {
    const std::string yaml = rule_with(R"(  sel:
    CommandLine|contains|all: [alpha1, bravo2, charlie3, delta4, echo5, foxtrot6, golf7,
                               hotel8, india9, juliet10]
  condition: sel
)",
                                       "category: process_creation, product: test");
    auto plan = plan_of(yaml, kGatedMapping);
    REQUIRE(plan.has_value());
    size_t logsource_sets = 0;
    for (const auto& set : *plan) {
        logsource_sets +=
            std::all_of(set.begin(), set.end(), [](const vigie::Trigger& t) { return t.logsource; })
                ? 1
                : 0;
    }
    // (Sysmon and 1) or (Security and 4688), distributed: four sets.
    CHECK(logsource_sets == 4);
    CHECK(plan->size() == vigie::kMaxRequirements + 4);
}

TEST_CASE("gated databases: a pattern two logsources share is found for each") {
    const std::string rules =
        rule_with(R"(  sel:
    Image|endswith: '\\tool.exe'
  condition: sel
)",
                  "category: process_creation, product: test") +
        "---\n" +
        with_id("r2", rule_with(R"(  sel:
    Image|endswith: '\\tool.exe'
    DestinationPort: 4444
  condition: sel
)",
                                "category: network_connection, product: test"));
    SigmaHarness h(rules, kGatedMapping);
    CHECK(h.matching_ids(R"({"Channel":"Sysmon","EventID":1,"Image":"C:\\tool.exe"})") ==
          std::vector<std::string>{"r1"});
    CHECK(
        h.matching_ids(
            R"({"Channel":"Sysmon","EventID":3,"Image":"C:\\tool.exe","DestinationPort":4444})") ==
        std::vector<std::string>{"r2"});
    CHECK(h.matching_ids(R"({"Channel":"Sysmon","EventID":3,"Image":"C:\\tool.exe"})").empty());
    CHECK(h.matching_ids(R"({"Channel":"Sysmon","EventID":7,"Image":"C:\\tool.exe"})").empty());
}

TEST_CASE("an OR of many ANDs is trimmed before it is distributed") {
    // 64 selections of two clauses: 2^64 products would overflow a plain count (and hang).
    std::string detection;
    for (int i = 0; i < 64; ++i) {
        detection += "  selection_" + std::to_string(i) + ":\n    Image|endswith: '\\prog" +
                     std::to_string(i) + ".exe'\n    CommandLine|contains: 'argument" +
                     std::to_string(i) + "xx'\n";
    }
    detection += "  condition: 1 of selection_*\n";
    const std::string yaml = rule_with(detection);
    auto plan = plan_of(yaml);
    REQUIRE(plan.has_value());
    CHECK(plan->size() <= vigie::kMaxRequirements);
    SigmaHarness h(yaml);
    CHECK(h.matches(R"({"Image":"C:\\prog17.exe","CommandLine":"x argument17xx"})"));
    CHECK_FALSE(h.matches(R"({"Image":"C:\\prog17.exe","CommandLine":"x argument18xx"})"));
}
