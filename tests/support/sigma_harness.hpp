// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Test support: compiles Sigma rule text against a mapping and tells whether JSON events
// match, through the real parser, compiler, prefilter, reader and evaluator. Every
// matches() call also evaluates without the prefilter and fails the test if the two
// disagree, so every rule test doubles as a differential test of the prefilter.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.hpp"
#include "detector/detector.hpp"
#include "detector/placeholders.hpp"
#include "detector/ruleset_compiler.hpp"
#include "ingest/event_parser.hpp"

namespace vigie::test {

// Sigma field = dotted JSON path; every logsource accepted.
inline constexpr std::string_view kFlatMapping =
    "name: flat\nproducts: ['*']\nfield_defaults: ['{field}']\n";

class SigmaHarness {
  public:
    explicit SigmaHarness(const std::string& rules_yaml,
                          std::string_view mapping_yaml = kFlatMapping,
                          const Placeholders* placeholders = nullptr,
                          const std::string& cache_dir = {});

    // True when the first rule matches `event_json`. Fails the test on a JSON error or
    // a prefilter disagreement.
    bool matches(std::string_view event_json);
    // Ids of every rule that matches.
    std::vector<std::string> matching_ids(std::string_view event_json);

    [[nodiscard]] const Diagnostics& diagnostics() const { return diags_; }
    [[nodiscard]] const CompileReport& report() const { return report_; }
    // The compiled (prefiltered) ruleset, for tests of what runs it (the serve engine).
    [[nodiscard]] std::shared_ptr<const Ruleset> ruleset() const { return ruleset_; }
    [[nodiscard]] size_t rules_loaded() const { return ruleset_ ? ruleset_->rules().size() : 0; }
    // Errors only, formatted; "" when the rules loaded cleanly.
    [[nodiscard]] std::string errors() const;

  private:
    std::vector<uint32_t> run(Detector& detector, EventParser& parser, std::string_view event_json);

    Diagnostics diags_;
    CompileReport report_;
    std::shared_ptr<const Ruleset> ruleset_;
    std::shared_ptr<const Ruleset> unfiltered_;
    std::unique_ptr<Detector> detector_;
    std::unique_ptr<Detector> unfiltered_detector_;
    std::unique_ptr<EventParser> parser_;
    std::unique_ptr<EventParser> unfiltered_parser_;
};

}  // namespace vigie::test
