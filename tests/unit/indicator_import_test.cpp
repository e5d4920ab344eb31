// SPDX-License-Identifier: EUPL-1.2
// The one indicator import sequence (federation/sharing/indicator_import.hpp): what it reads,
// what it applies, and that each import is told once to its report.
#include "federation/sharing/indicator_import.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace vigie;

namespace {

struct RecordedReport final : ImportReport {
    std::vector<std::string> unreadable_files;
    std::vector<ImportOutcome> outcomes;
    void unreadable(const std::string& file) override { unreadable_files.push_back(file); }
    void imported(const ImportOutcome& outcome) override { outcomes.push_back(outcome); }
};

const char* kBundle = R"({"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000000",
"objects":[
{"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-000000000001",
 "created":"2025-01-01T00:00:00.000Z","modified":"2025-01-01T00:00:00.000Z",
 "pattern_type":"stix","pattern":"[domain-name:value = 'c2.example']",
 "valid_from":"2025-01-01T00:00:00Z"},
{"type":"indicator","id":"indicator--x"}]})";

}  // namespace

TEST_CASE("indicator import: a bundle is read, applied and told once, refusals counted") {
    RecordedReport report;
    IndicatorLoadOptions none;
    Result<LoadedIndicators> opened = load_indicators(none, report);
    REQUIRE_MESSAGE(opened.ok(), opened.error().message);
    LoadedIndicators& loaded = *opened;
    REQUIRE(loaded.catalog);
    const ImportOutcome r = import_indicators(
        *loaded.catalog, IndicatorInput::bundle(kBundle, "feed.json", "peer-a", stix::Tlp::Green),
        report);
    CHECK(r.kind == IndicatorInput::Kind::Bundle);
    CHECK(r.origin == "feed.json");
    CHECK(r.objects == 2);
    CHECK(r.refused == 1);
    REQUIRE(r.indicators.size() == 1);
    CHECK(r.indicators[0].source == "peer-a");
    CHECK(r.kept());
    CHECK(r.applied->added == 1);
    CHECK(r.lost() == 1);
    REQUIRE(report.outcomes.size() == 1);
    CHECK(report.outcomes[0].read_problems.size() == 1);
    CHECK(loaded.store->count() == 1);
    // The same version again changes nothing.
    const ImportOutcome again = import_indicators(
        *loaded.catalog, IndicatorInput::bundle(kBundle, "feed.json", "peer-a", stix::Tlp::Green),
        report);
    REQUIRE(again.kept());
    CHECK(again.applied->added == 0);
    CHECK(again.applied->stale == 1);
}

TEST_CASE("indicator import: a bundle file that cannot be read is told and counted") {
    RecordedReport report;
    IndicatorLoadOptions options;
    options.bundle_files = {"/nonexistent/bundle.json"};
    Result<LoadedIndicators> opened = load_indicators(options, report);
    REQUIRE_MESSAGE(opened.ok(), opened.error().message);
    LoadedIndicators& loaded = *opened;
    REQUIRE(loaded.catalog);
    CHECK(loaded.rejected == 1);
    CHECK(report.unreadable_files == std::vector<std::string>{"/nonexistent/bundle.json"});
    CHECK(report.outcomes.empty());
}

TEST_CASE("indicator import: a MISP feed is named by its location") {
    RecordedReport report;
    IndicatorLoadOptions options;
    const std::string feed = std::string(VIGIE_SOURCE_DIR) + "/tests/indicators/misp";
    options.misp_feeds = {feed};
    Result<LoadedIndicators> opened = load_indicators(options, report);
    REQUIRE_MESSAGE(opened.ok(), opened.error().message);
    LoadedIndicators& loaded = *opened;
    REQUIRE(loaded.catalog);
    REQUIRE(report.outcomes.size() == 1);
    const ImportOutcome& r = report.outcomes[0];
    CHECK(r.kind == IndicatorInput::Kind::MispFeed);
    CHECK(r.origin == feed);
    CHECK(r.events > 0);
    CHECK(r.kept());
    CHECK(loaded.rejected == r.refused);
    CHECK(loaded.store->count() == r.applied->added);
}

TEST_CASE("indicator import: a store that cannot be opened is an error, not a crash") {
    RecordedReport report;
    IndicatorLoadOptions options;
    options.store_path = "/nonexistent/dir/indicators.sqlite";
    Result<LoadedIndicators> loaded = load_indicators(options, report);
    // No store, so no catalog: the error is all there is.
    REQUIRE_FALSE(loaded.ok());
    CHECK_FALSE(loaded.error().message.empty());
    CHECK(loaded.error().message.rfind("indicator store /nonexistent/dir/indicators.sqlite: ", 0) ==
          0);
}
