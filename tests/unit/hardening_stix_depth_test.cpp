// SPDX-License-Identifier: EUPL-1.2
// Hardening item 1 for the federation's inputs: STIX bundles and patterns, observation
// files, TAXII bodies and pages, MISP events. Every walk is bounded by
// vigie::input_limits().max_nesting_depth; an input 100000 levels deep is refused with
// "nested deeper than N levels" at its place, and the good objects beside it are kept.
#include <doctest/doctest.h>

#include <string>

#include "core/input_limits.hpp"
#include "federation/misp/misp_event_reader.hpp"
#include "federation/stix/bundle_reader.hpp"
#include "federation/stix/json_depth.hpp"
#include "federation/stix/observation_set.hpp"
#include "federation/stix/pattern_eval.hpp"
#include "federation/stix/pattern_parser.hpp"
#include "federation/taxii/envelope_page.hpp"
#include "federation/taxii/envelope_reader.hpp"

using namespace vigie;

namespace {

constexpr size_t kDeep = 100000;

uint32_t limit() {
    return input_limits().max_nesting_depth;
}

// {"type":"x-deep","id":"x-deep--<uuid>","value":[[[...1...]]]}: `levels` in all, the
// object itself counted.
std::string deep_object(size_t levels) {
    return R"({"type":"x-deep","spec_version":"2.1","id":"x-deep--00000000-0000-4000-8000-000000000001","value":)" +
           std::string(levels - 1, '[') + "1" + std::string(levels - 1, ']') + "}";
}

std::string indicator(int n) {
    return R"({"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-00000000000)" +
           std::to_string(n) +
           R"(","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","pattern":"[domain-name:value = 'a.example']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"})";
}

// 1-based column of the first '[' of the value that opens level limit+1 in deep_object,
// when it starts at column `start`.
size_t too_deep_column(size_t start, const std::string& object) {
    return start + object.find('[') + limit() - 1;
}

}  // namespace

TEST_CASE("hardening 1: a STIX bundle object nested too deep is refused at its place") {
    const std::string deep = deep_object(kDeep);
    const std::string prefix = R"({"type":"bundle","objects":[)" + indicator(1) + ",\n";
    const std::string text = prefix + deep + ",\n" + indicator(2) + "]}";
    stix::BundleOptions options;
    options.origin = "deep.json";
    stix::BundleContent content = stix::read_bundle(text, options);
    CHECK(content.objects == 3);
    CHECK(content.indicators.size() == 2);
    CHECK(content.rejected == 1);
    REQUIRE(content.diagnostics.size() == 1);
    const Diagnostic& d = content.diagnostics.front();
    CHECK(d.message == nesting_error_text());
    CHECK(d.rule_id == "x-deep--00000000-0000-4000-8000-000000000001");
    CHECK(d.where.file == "deep.json");
    CHECK(d.where.line == 2);
    CHECK(d.where.column == too_deep_column(1, deep));
}

TEST_CASE("hardening 1: a STIX object exactly at the nesting limit is kept, one more is not") {
    stix::BundleOptions options;
    stix::BundleContent at = stix::read_bundle("[" + deep_object(limit()) + "]", options);
    CHECK(at.others.size() == 1);
    CHECK(at.rejected == 0);
    stix::BundleContent over = stix::read_bundle("[" + deep_object(limit() + 1) + "]", options);
    CHECK(over.others.empty());
    CHECK(over.rejected == 1);
}

TEST_CASE("hardening 1: a STIX pattern nested too deep is refused at its column") {
    const std::string parens(kDeep, '(');
    stix::PatternParse parse = stix::parse_pattern(parens + "[a:b = 1]" + std::string(kDeep, ')'));
    REQUIRE_FALSE(parse.ok());
    CHECK(parse.error().where.column == limit() + 1);
    CHECK(parse.error().message ==
          "column " + std::to_string(limit() + 1) + ": " + nesting_error_text());
    const std::string inner =
        "[" + std::string(kDeep, '(') + "a:b = 1" + std::string(kDeep, ')') + "]";
    CHECK_FALSE(stix::parse_pattern(inner).ok());
    const std::string at_limit =
        std::string(limit() - 1, '(') + "[a:b = 1]" + std::string(limit() - 1, ')');
    CHECK(stix::parse_pattern(at_limit).ok());
}

TEST_CASE("hardening 1: an observation file nested too deep is refused with its line and column") {
    const std::string deep = deep_object(kDeep);
    stix::ObservationSet set;
    const Status added = set.add_document("[\n" + deep + "]", "obs.json");
    // An observation file is one document: its array is the first level.
    REQUIRE_FALSE(added.ok());
    CHECK(added.error().message == "obs.json:2:" + std::to_string(too_deep_column(1, deep) - 1) +
                                       ": " + nesting_error_text());
}

TEST_CASE("hardening 1: REPEATS many times is evaluated without recursion per repetition") {
    stix::ObservationSet set;
    const std::string doc =
        R"([{"type":"observed-data","id":"od-1","first_observed":"2020-01-01T00:00:00Z",)"
        R"("last_observed":"2020-01-01T00:00:00Z","number_observed":5000,"object_refs":["x--1"]},)"
        R"({"type":"x","id":"x--1","v":1}])";
    REQUIRE(set.add_document(doc).ok());
    set.finish();
    stix::PatternParse parse = stix::parse_pattern("[x:v = 1] REPEATS 5000 TIMES");
    REQUIRE(parse.ok());
    stix::EvalLimits limits;
    limits.max_steps = 100'000'000;
    CHECK(stix::evaluate(**parse, set, limits).status == stix::EvalResult::Status::Match);
}

TEST_CASE("hardening 1: a TAXII body's object nested too deep fails alone, with its place") {
    const std::string deep = deep_object(kDeep);
    const std::string prefix = R"({"objects":[)" + indicator(1) + ",";
    const std::string body = prefix + deep + "," + indicator(2) + "]}";
    taxii::EnvelopeContents contents = taxii::read_envelope(body, stix::Tlp::Green);
    REQUIRE(contents.error == taxii::EnvelopeError::None);
    REQUIRE(contents.objects.size() == 3);
    CHECK(contents.objects[0].record.ok());
    CHECK(contents.objects[2].record.ok());
    const taxii::CheckedObject& refused = contents.objects[1];
    REQUIRE_FALSE(refused.record.ok());
    CHECK(refused.id == "x-deep--00000000-0000-4000-8000-000000000001");
    CHECK(refused.record.error().message ==
          "objects[1]: " + std::string(nesting_error_text()) + " at line 1, column " +
              std::to_string(too_deep_column(prefix.size() + 1, deep)) + " of the body");
}

TEST_CASE("hardening 1: a TAXII body nested too deep outside its objects is refused whole") {
    const std::string body = R"({"x":)" + std::string(kDeep, '[') + std::string(kDeep, ']') +
                             R"(,"objects":[)" + indicator(1) + "]}";
    taxii::EnvelopeContents contents = taxii::read_envelope(body, stix::Tlp::Green);
    CHECK(contents.error == taxii::EnvelopeError::NotJson);
    CHECK(contents.message.find(nesting_error_text()) != std::string::npos);
    CHECK(contents.message.find("line 1, column ") != std::string::npos);
}

TEST_CASE("hardening 1: a TAXII page keeps its objects beside one nested too deep") {
    const std::string deep = deep_object(kDeep);
    const std::string body = R"({"more":true,"next":"n2","objects":[)" + indicator(1) + "," + deep +
                             "," + indicator(2) + "]}";
    Result<taxii::EnvelopePage> read = taxii::read_envelope_page(body, 10);
    REQUIRE_MESSAGE(read.ok(), read.error().message);
    const taxii::EnvelopePage& page = *read;
    CHECK(page.more);
    CHECK(page.next == "n2");
    REQUIRE(page.objects.size() == 3);
    CHECK(page.objects[0] == indicator(1));
    CHECK(page.objects[1] == deep);  // as it came: the sink's check refuses it, located
    CHECK(page.objects[2] == indicator(2));
}

TEST_CASE("hardening 1: a MISP event nested too deep is refused with its line and column") {
    const std::string prefix = R"({"Event":{"info":"x","Attribute":[)"
                               "\n";
    const std::string text =
        prefix +
        R"({"uuid":"6a000000-0000-4000-8000-000000000001","type":"domain","value":"a.example","to_ids":true,"timestamp":"1","x":)" +
        std::string(kDeep, '[') + std::string(kDeep, ']') + "}]}}";
    misp::MispEventOptions options;
    options.origin = "feed/e.json";
    misp::MispEventContent content = misp::read_misp_event(text, options);
    CHECK(content.indicators.empty());
    REQUIRE(content.diagnostics.size() == 1);
    const Diagnostic& d = content.diagnostics.front();
    CHECK(d.message == nesting_error_text());
    CHECK(d.where.file == "feed/e.json");
    CHECK(d.where.line == 2);
    CHECK(d.where.column > 1);
}

TEST_CASE("hardening 1: first_too_deep counts as simdjson does, strings and empty containers") {
    CHECK_FALSE(stix::first_too_deep("[[1]]", 2).has_value());
    CHECK(stix::first_too_deep("[[[1]]]", 2) == size_t{2});
    CHECK_FALSE(stix::first_too_deep("[[[ ]]]", 2).has_value());  // an empty one adds none
    CHECK_FALSE(stix::first_too_deep(R"(["[[[[", {"a":"{{{{"}])", 2).has_value());
    CHECK(stix::first_too_deep(R"(["\"[", [[1]]])", 2) == size_t{9});
}

TEST_CASE(
    "hardening 1: at the largest nesting limit an operator may set the STIX walks stay on the "
    "stack") {
    const InputLimits saved = input_limits();
    InputLimits largest = saved;
    largest.max_nesting_depth = kMaxNestingDepthSetting;
    configure_input_limits(largest);
    const size_t n = kMaxNestingDepthSetting;
    const std::string pattern = std::string(n - 1, '(') + "[x:v = 1]" + std::string(n - 1, ')');
    stix::PatternParse parse = stix::parse_pattern(pattern);
    CHECK(parse.ok());
    stix::ObservationSet set;
    const std::string doc =
        R"([{"type":"observed-data","id":"od-1","first_observed":"2020-01-01T00:00:00Z",)"
        R"("last_observed":"2020-01-01T00:00:00Z","number_observed":1,"object_refs":["x--1"]},)"
        R"({"type":"x","id":"x--1","v":1,"deep":)" +
        std::string(n - 2, '[') + "1" + std::string(n - 2, ']') + "}]";
    CHECK(set.add_document(doc).ok());
    set.finish();
    if (parse.ok()) CHECK(stix::evaluate(**parse, set).status == stix::EvalResult::Status::Match);
    stix::BundleContent content = stix::read_bundle("[" + deep_object(n) + "]", {});
    CHECK(content.others.size() == 1);
    configure_input_limits(saved);
}

TEST_CASE("MISP: an attribute timestamp past year 9999 is refused, not overflowed (fuzz finding)") {
    const std::string text =
        R"({"Event":{"info":"x","Attribute":[{"uuid":"6a000000-0000-4000-8000-000000000001",)"
        R"("type":"domain","value":"a.example","to_ids":true,"timestamp":"4099276461151106048"}]}})";
    misp::MispEventContent content = misp::read_misp_event(text, {});
    CHECK(content.indicators.empty());
    REQUIRE(content.diagnostics.size() == 1);
    CHECK(content.diagnostics.front().message ==
          "Event.Attribute[0]: timestamp: not seconds since the epoch up to year 9999");
}
