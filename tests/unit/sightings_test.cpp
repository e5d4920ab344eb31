// SPDX-License-Identifier: EUPL-1.2
// Sightings: indicator alerts are counted per indicator, turned into STIX 2.1 Sightings
// (one id per indicator and identity, a new version each flush) and published to the
// indicator's source only when its TLP lets them go there.
#include <doctest/doctest.h>
#include <simdjson.h>

#include <map>
#include <string>
#include <vector>

#include "federation/indicators/indicator_store.hpp"
#include "federation/indicators/sighting_recorder.hpp"
#include "federation/stix/bundle_reader.hpp"
#include "pipeline/alerts/alert_record.hpp"

using namespace vigie;

namespace {

constexpr const char* kIdentity = "identity--11111111-2222-4333-8444-555555555555";

void add_indicator(IndicatorStore& store, const std::string& tail, const char* marking,
                   const std::string& source) {
    const std::string json =
        R"({"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-)" +
        tail +
        R"(","created":"2026-01-01T00:00:00Z","modified":"2026-01-01T00:00:00Z","valid_from":"2026-01-01T00:00:00Z","pattern_type":"stix","pattern":"[domain-name:value = 'x.example']","object_marking_refs":[")" +
        marking + R"("]})";
    stix::BundleOptions options;
    options.source = source;
    auto content = stix::read_bundle("[" + json + "]", options);
    REQUIRE(content.indicators.size() == 1);
    auto stored = store.put(content.indicators, 0);
    REQUIRE_MESSAGE(stored.ok(), stored.error().message);
}

class MemorySink final : public TextAlertSink {
  public:
    Status write(std::string_view alerts) override {
        written += alerts;
        if (!ok) return Error{"disk full"};
        return {};
    }
    void flush() override {}
    std::string written;
    bool ok = true;
};

void add_record(AlertRecordBatch& batch, const std::string& uid, const std::string& rule_id,
                const std::string& tags, bool indicator) {
    AlertRecord& r = batch.add();
    r.uid = uid;
    r.agency = "demo";
    r.rule_id = rule_id;
    r.tags = tags;
    r.level = Level::High;
    r.tlp = tlp_of_tags(tags);
    r.indicator_id = indicator ? rule_id : "";
    r.indicator_source = indicator ? "peer-a" : "";
    r.text = "{}";
}

}  // namespace

TEST_CASE("sightings are published to the source peer only when the TLP allows it") {
    auto opened = IndicatorStore::open(":memory:", 100);
    REQUIRE(opened.ok());
    auto& store = *opened;
    const std::string green = "indicator--00000000-0000-4000-8000-000000000001";
    const std::string red = "indicator--00000000-0000-4000-8000-000000000002";
    add_indicator(*store, "000000000001",
                  "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "peer-a");
    add_indicator(*store, "000000000002",
                  "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "peer-a");
    SightingRecorder recorder(*store, kIdentity);
    MemorySink inner;
    SightingTap tap(inner, recorder);
    AlertRecordBatch alerts;
    add_record(alerts, "u1", green, "stix.indicator,tlp:green", true);
    add_record(alerts, "u2", red, "stix.indicator,tlp:red", true);
    add_record(alerts, "u3", "a-sigma-rule", "attack.t1059", false);
    REQUIRE(tap.write(alerts.records()));
    CHECK(recorder.recorded() == 2);
    recorder.record(green, 1000, 2);

    std::map<std::string, std::vector<std::string>> sent;
    auto publish = [&](const std::string& peer, const std::vector<std::string>& objects) {
        sent[peer].insert(sent[peer].end(), objects.begin(), objects.end());
        return true;
    };
    auto clearance = [](const std::string& peer, stix::Tlp tlp) {
        return peer == "peer-a" && tlp_may_leave(tlp, {true, false});
    };
    CHECK(recorder.flush(2000, publish, clearance) == 1);
    REQUIRE(sent["peer-a"].size() == 1);
    simdjson::dom::parser parser;
    simdjson::dom::element s = parser.parse(sent["peer-a"][0]);
    CHECK(std::string_view(s["type"]) == "sighting");
    CHECK(std::string_view(s["sighting_of_ref"]) == green);
    CHECK(int64_t(s["count"]) == 3);
    CHECK(std::string_view(s["first_seen"]) == "1970-01-01T00:00:01.000Z");
    CHECK(std::string_view(s["where_sighted_refs"].at(0)) == kIdentity);
    CHECK(std::string_view(s["object_marking_refs"].at(0)) ==
          "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb");
    const std::string first_id{std::string_view(s["id"])};
    CHECK(first_id.rfind("sighting--", 0) == 0);
    // Nothing new: nothing sent. A new hit: a new version of the same sighting.
    CHECK(recorder.flush(3000, publish, clearance) == 0);
    recorder.record(green, 5000);
    CHECK(recorder.flush(6000, publish, clearance) == 1);
    simdjson::dom::element v2 = parser.parse(sent["peer-a"][1]);
    CHECK(std::string_view(v2["id"]) == first_id);
    CHECK(int64_t(v2["count"]) == 4);
    CHECK(std::string_view(v2["modified"]) == "1970-01-01T00:00:06.000Z");

    // A failed write records nothing; a failed publication is offered again.
    inner.ok = false;
    CHECK_FALSE(tap.write(alerts.records()));
    recorder.record(green, 7000);
    CHECK(recorder.flush(
              8000, [](auto&, auto&) { return false; }, clearance) == 0);
    CHECK(recorder.flush(9000, publish, clearance) == 1);
    CHECK(sent["peer-a"].size() == 3);
}
