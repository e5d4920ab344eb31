// SPDX-License-Identifier: EUPL-1.2
#include "tests/support/sigma_harness.hpp"

#include <doctest/doctest.h>

#include <algorithm>

#include "detector/field_mapping.hpp"
#include "detector/rule_parser.hpp"
#include "detector/ruleset_compiler.hpp"
#include "ingest/json_padding.hpp"

namespace vigie::test {

SigmaHarness::SigmaHarness(const std::string& rules_yaml, std::string_view mapping_yaml,
                           const Placeholders* placeholders, const std::string& cache_dir) {
    Placeholders none;
    auto mapping = FieldMapping::parse(std::string(mapping_yaml), "<test mapping>", diags_);
    REQUIRE_MESSAGE(mapping.has_value(), "mapping does not load");
    std::vector<Rule> rules;
    RuleParser parser(placeholders != nullptr ? *placeholders : none, diags_);
    parser.parse_text(rules_yaml, "<test rule>", rules);
    std::vector<Rule> copy = rules;
    ruleset_ =
        RulesetCompiler(*mapping, diags_).compile(std::move(rules), {true, cache_dir}, report_);
    CompileReport report;
    Diagnostics ignored;
    unfiltered_ = RulesetCompiler(*mapping, ignored)
                      .compile(std::move(copy), CompileOptions{false, ""}, report);
    detector_ = std::make_unique<Detector>(ruleset_);
    unfiltered_detector_ = std::make_unique<Detector>(unfiltered_);
    parser_ = std::make_unique<EventParser>(ruleset_->trie(), ruleset_->needs_all_strings());
    unfiltered_parser_ =
        std::make_unique<EventParser>(unfiltered_->trie(), unfiltered_->needs_all_strings());
}

std::string SigmaHarness::errors() const {
    std::string out;
    for (const auto& d : diags_) {
        if (d.severity == Severity::Error) out += d.format() + "\n";
    }
    return out;
}

std::vector<uint32_t> SigmaHarness::run(Detector& detector, EventParser& parser,
                                        std::string_view event_json) {
    std::string buffer(event_json);
    buffer.append(kJsonPadding, ' ');
    RawDocument doc{buffer.data(), event_json.size(), buffer.size(), 1, 0};
    std::string_view error = parser.parse(doc, detector.event());
    REQUIRE_MESSAGE(error.empty(), "event does not parse: " << error);
    std::vector<uint32_t> out;
    detector.detect(out);
    return out;
}

std::vector<std::string> SigmaHarness::matching_ids(std::string_view event_json) {
    auto with = run(*detector_, *parser_, event_json);
    auto without = run(*unfiltered_detector_, *unfiltered_parser_, event_json);
    CHECK_MESSAGE(with == without, "the prefilter changed the result for " << event_json);
    std::vector<std::string> ids;
    ids.reserve(with.size());
    for (uint32_t r : with) ids.push_back(ruleset_->rules()[r].rule.id);
    return ids;
}

bool SigmaHarness::matches(std::string_view event_json) {
    REQUIRE_MESSAGE(rules_loaded() > 0, "no rule loaded: " << errors());
    auto with = run(*detector_, *parser_, event_json);
    auto without = run(*unfiltered_detector_, *unfiltered_parser_, event_json);
    CHECK_MESSAGE(with == without, "the prefilter changed the result for " << event_json);
    return std::find(with.begin(), with.end(), 0U) != with.end();
}

}  // namespace vigie::test
