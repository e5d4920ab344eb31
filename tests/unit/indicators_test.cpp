// SPDX-License-Identifier: EUPL-1.2
// The indicator side of STIX federation: reading bundles (one bad object never costs the
// good ones), the SQLite store (versions, newest wins, bound, restart) and the compiled
// sets the workers match from (exact values, IP networks, regexes; revocation, update,
// expiry and eviction stop a match at once).
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "federation/indicators/indicator_catalog.hpp"
#include "federation/indicators/indicator_store.hpp"
#include "federation/stix/bundle_reader.hpp"
#include "federation/stix/timestamp.hpp"

using namespace vigie;

namespace {

constexpr int64_t kNow = int64_t{1764633600} * 1000000;  // 2025-12-02

std::string indicator_json(const std::string& uuid_tail, const std::string& pattern,
                           const std::string& modified = "2025-01-01T00:00:00.000Z",
                           const std::string& extra = "") {
    return R"({"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-)" +
           uuid_tail + R"(","created":"2025-01-01T00:00:00.000Z","modified":")" + modified +
           R"(","valid_from":"2025-01-01T00:00:00Z","pattern_type":"stix","pattern":")" + pattern +
           "\"" + extra + "}";
}

std::vector<stix::Indicator> read_indicators(const std::string& objects) {
    stix::BundleOptions options;
    options.origin = "test.json";
    options.source = "peer-a";
    auto content = stix::read_bundle(
        R"({"type":"bundle","id":"bundle--1","objects":[)" + objects + "]}", options);
    REQUIRE_MESSAGE(content.rejected == 0,
                    (content.diagnostics.empty() ? "" : content.diagnostics[0].format()));
    return content.indicators;
}

// Ids of the live indicators the value hits, over every segment.
std::vector<std::string> hits(const IndicatorCatalog& catalog, std::string_view key, ValueKind kind,
                              std::string_view value, int64_t now = kNow) {
    std::vector<std::string> out;
    std::string buffer;
    for (const auto& segment : catalog.current()->segments) {
        segment->find(key, kind, value, buffer, nullptr, [&](uint32_t slot) {
            if (segment->live(slot, now)) out.emplace_back(segment->view(slot).id);
        });
    }
    return out;
}

std::string id(const std::string& tail) {
    return "indicator--00000000-0000-4000-8000-" + tail;
}

// Applies indicators whose report the test does not read; the store must keep them.
void apply_all(IndicatorCatalog& catalog, const std::vector<stix::Indicator>& indicators,
               int64_t now_us) {
    Result<ApplyReport> applied = catalog.apply(indicators, now_us);
    REQUIRE_MESSAGE(applied.ok(), applied.error().message);
}

}  // namespace

TEST_CASE("a bundle with one bad object keeps the good ones and locates the bad one") {
    const std::string text =
        "{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":[\n" +
        indicator_json("000000000001", "[domain-name:value = 'evil.example']") + ",\n" +
        indicator_json("000000000002", "[domain-name:value = ") + ",\n" +
        R"({"type":"indicator","id":"indicator--x"})" + ",\n" +
        indicator_json("000000000003", "[ipv4-addr:value = '198.51.100.7']",
                       "2025-01-01T00:00:00.000Z", R"(,"valid_until":"2024-01-01T00:00:00Z")") +
        ",\n" +
        R"({"type":"identity","spec_version":"2.1","id":"identity--00000000-0000-4000-8000-000000000009","name":"A","created":"2025-01-01T00:00:00Z","modified":"2025-01-01T00:00:00Z"})" +
        "\n]}";
    stix::BundleOptions options;
    options.origin = "feed.json";
    auto content = stix::read_bundle(text, options);
    CHECK(content.objects == 5);
    CHECK(content.rejected == 3);
    REQUIRE(content.indicators.size() == 1);
    CHECK(content.indicators[0].id == id("000000000001"));
    CHECK(content.others.size() == 1);
    REQUIRE(content.diagnostics.size() == 3);
    CHECK(content.diagnostics[0].where.line == 3);
    CHECK(content.diagnostics[0].where.column == 1);
    CHECK(content.diagnostics[0].rule_id == id("000000000002"));
    CHECK(content.diagnostics[0].message.find("pattern: column") == 0);
    CHECK(content.diagnostics[1].format() ==
          "feed.json:4:1: rule indicator--x: id: 'indicator--x' is not 'indicator--<uuid>'");
    CHECK(content.diagnostics[2].message == "valid_until: not later than valid_from");
}

TEST_CASE("a document that is not STIX content gives one located error") {
    stix::BundleOptions options;
    options.origin = "junk.json";
    CHECK(stix::read_bundle("42", options).diagnostics.size() == 1);
    auto truncated = stix::read_bundle(
        "[" + indicator_json("000000000001", "[url:value = 'x']") + ",{\"type\":", options);
    CHECK(truncated.diagnostics.size() == 1);
    // A bad value inside one object costs that object only.
    auto bad_value = stix::read_bundle(
        "[" + indicator_json("000000000001", "[url:value = 'x']") + ",{\"type\":tru}]", options);
    CHECK(bad_value.indicators.size() == 1);
    REQUIRE(bad_value.diagnostics.size() == 1);
    CHECK(bad_value.diagnostics[0].message.find("malformed JSON") == 0);
    options.limits.max_object_bytes = 64;
    auto big =
        stix::read_bundle("[" + indicator_json("000000000001", "[url:value = 'x']") + "]", options);
    CHECK(big.indicators.empty());
    CHECK(big.diagnostics.at(0).message.find("over the 64-byte limit") != std::string::npos);
}

TEST_CASE("the store keeps every version, the newest wins, and survives a reopen") {
    const auto path = std::filesystem::temp_directory_path() / "vigie_indicator_store_test.sqlite";
    std::filesystem::remove(path);
    {
        auto opened = IndicatorStore::open(path.string(), 100);
        REQUIRE_MESSAGE(opened.ok(), opened.error().message);
        auto& store = *opened;
        auto v1 =
            read_indicators(indicator_json("000000000001", "[domain-name:value = 'a.example']"));
        auto v2 = read_indicators(indicator_json(
            "000000000001", "[domain-name:value = 'b.example']", "2025-02-01T00:00:00.000Z"));
        auto r = store->put(v1, kNow);
        REQUIRE(r.ok());
        CHECK(r->outcomes == std::vector<PutOutcome>{PutOutcome::Added});
        CHECK(store->put(v2, kNow)->outcomes == std::vector<PutOutcome>{PutOutcome::Updated});
        CHECK(store->put(v1, kNow)->outcomes == std::vector<PutOutcome>{PutOutcome::Stale});
        CHECK(store->put(v2, kNow)->outcomes == std::vector<PutOutcome>{PutOutcome::Stale});
        CHECK(store->versions(id("000000000001")).size() == 2);
        CHECK(store->set_state("poll:peer-a", "2025-02-01T00:00:00.000Z").ok());
    }
    auto opened = IndicatorStore::open(path.string(), 100);
    REQUIRE(opened.ok());
    auto& store = *opened;
    CHECK(store->count() == 1);
    std::vector<std::string> patterns;
    store->for_each_current([&](const stix::Indicator& i) { patterns.push_back(i.pattern); });
    CHECK(patterns == std::vector<std::string>{"[domain-name:value = 'b.example']"});
    CHECK(store->state("poll:peer-a") == "2025-02-01T00:00:00.000Z");
    std::filesystem::remove(path);
}

TEST_CASE("the store's bound evicts revoked and expired indicators first, then the oldest") {
    auto opened = IndicatorStore::open(":memory:", 2);
    REQUIRE(opened.ok());
    auto& store = *opened;
    IndicatorCatalog catalog(*store);
    apply_all(
        catalog,
        read_indicators(indicator_json("000000000001", "[domain-name:value = 'one.example']")),
        kNow);
    apply_all(catalog,
              read_indicators(indicator_json("000000000002", "[domain-name:value = 'two.example']",
                                             "2025-01-01T00:00:00.000Z",
                                             R"(,"valid_until":"2025-06-01T00:00:00Z")")),
              kNow + 1);
    CHECK(hits(catalog, "domain-name:value", ValueKind::Domain, "one.example").size() == 1);
    auto report = catalog.apply(
        read_indicators(indicator_json("000000000003", "[domain-name:value = 'three.example']")),
        kNow + 2);
    REQUIRE(report.ok());
    CHECK(report->evicted == 1);
    CHECK(store->evictions() == 1);
    CHECK(store->count() == 2);
    // two.example expired (valid_until before kNow), so it went first.
    CHECK(hits(catalog, "domain-name:value", ValueKind::Domain, "one.example").size() == 1);
    report = catalog.apply(
        read_indicators(indicator_json("000000000004", "[domain-name:value = 'four.example']")),
        kNow + 3);
    REQUIRE(report.ok());
    CHECK(report->evicted == 1);
    CHECK(hits(catalog, "domain-name:value", ValueKind::Domain, "one.example").empty());
    CHECK(hits(catalog, "domain-name:value", ValueKind::Domain, "four.example").size() == 1);
}

TEST_CASE("indicators match exact values, networks and hashes in their normal forms") {
    auto opened = IndicatorStore::open(":memory:", 100);
    REQUIRE(opened.ok());
    auto& store = *opened;
    IndicatorCatalog catalog(*store);
    auto report = catalog.apply(
        read_indicators(
            indicator_json("000000000001", "[domain-name:value = 'Evil.Example']") + "," +
            indicator_json("000000000002",
                           "[ipv4-addr:value ISSUBSET '198.51.100.0/24'] OR [ipv4-addr:value "
                           "ISSUBSET '10.20.0.0/16']") +
            "," +
            indicator_json("000000000003",
                           "[file:hashes.'SHA-256' = "
                           "'AAAA0000AAAA0000AAAA0000AAAA0000AAAA0000AAAA0000AAAA0000AAAA0000']") +
            "," +
            indicator_json(
                "000000000004",
                "[ipv6-addr:value = '2001:db8::1'] OR [url:value = 'http://x.example/a']") +
            "," +
            indicator_json(
                "000000000005",
                "[domain-name:value = 'a.example' AND domain-name:value = 'b.example']")),
        kNow);
    REQUIRE(report.ok());
    CHECK(report->added == 5);
    CHECK(report->not_matched == 1);
    CHECK(report->diagnostics.at(0).rule_id == id("000000000005"));
    CHECK(hits(catalog, "domain-name:value", ValueKind::Domain, "evil.example.") ==
          std::vector<std::string>{id("000000000001")});
    CHECK(hits(catalog, "domain-name:value", ValueKind::Domain, "sub.evil.example").empty());
    CHECK(hits(catalog, "ip", ValueKind::Ip, "198.51.100.250") ==
          std::vector<std::string>{id("000000000002")});
    CHECK(hits(catalog, "ip", ValueKind::Ip, "198.51.101.1").empty());
    CHECK(hits(catalog, "ip", ValueKind::Ip, "10.20.200.1") ==
          std::vector<std::string>{id("000000000002")});
    CHECK(hits(catalog, "ip", ValueKind::Ip, "10.21.0.1").empty());
    CHECK(hits(catalog, "ip", ValueKind::Ip, "2001:0db8:0::1") ==
          std::vector<std::string>{id("000000000004")});
    CHECK(hits(catalog, "file:hashes.SHA-256", ValueKind::Hash,
               "aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000")
              .size() == 1);
    CHECK(hits(catalog, "file:hashes.MD5", ValueKind::Hash,
               "aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000")
              .empty());
    CHECK(hits(catalog, "url:value", ValueKind::Url, "HTTP://X.EXAMPLE/a").size() == 1);
    CHECK(hits(catalog, "url:value", ValueKind::Url, "http://x.example/A").empty());
}

TEST_CASE("revocation and a new version stop the old match at once, expiry is checked per hit") {
    auto opened = IndicatorStore::open(":memory:", 100);
    REQUIRE(opened.ok());
    auto& store = *opened;
    IndicatorCatalog catalog(*store);
    apply_all(
        catalog,
        read_indicators(
            indicator_json("000000000001", "[domain-name:value = 'old.example']") + "," +
            indicator_json("000000000002", "[domain-name:value = 'gone.example']") + "," +
            indicator_json("000000000003", "[domain-name:value = 'brief.example']",
                           "2025-01-01T00:00:00.000Z", R"(,"valid_until":"2025-12-03T00:00:00Z")")),
        kNow);
    const auto before = catalog.current();
    apply_all(catalog,
              read_indicators(indicator_json("000000000001", "[domain-name:value = 'new.example']",
                                             "2025-03-01T00:00:00.000Z") +
                              "," +
                              indicator_json("000000000002", "[domain-name:value = 'gone.example']",
                                             "2025-03-01T00:00:00.000Z", R"(,"revoked":true)")),
              kNow);
    CHECK(hits(catalog, "domain-name:value", ValueKind::Domain, "old.example").empty());
    CHECK(hits(catalog, "domain-name:value", ValueKind::Domain, "new.example").size() == 1);
    CHECK(hits(catalog, "domain-name:value", ValueKind::Domain, "gone.example").empty());
    // A worker still holding the set published before the change stops matching too.
    std::string buffer;
    size_t stale_hits = 0;
    for (const auto& s : before->segments) {
        s->find("domain-name:value", ValueKind::Domain, "old.example", buffer, nullptr,
                [&](uint32_t slot) { stale_hits += s->live(slot, kNow) ? 1 : 0; });
    }
    CHECK(stale_hits == 0);
    CHECK(hits(catalog, "domain-name:value", ValueKind::Domain, "brief.example").size() == 1);
    const int64_t after_expiry = *stix::parse_timestamp("2025-12-03T00:00:00Z");
    CHECK(hits(catalog, "domain-name:value", ValueKind::Domain, "brief.example", after_expiry)
              .empty());
}

TEST_CASE("segments are merged in the background without losing updates") {
    auto opened = IndicatorStore::open(":memory:", 1000);
    REQUIRE(opened.ok());
    auto& store = *opened;
    IndicatorCatalog catalog(*store, 2);
    for (int i = 0; i < 20; ++i) {
        char tail[13];
        std::snprintf(tail, sizeof tail, "%012d", i);
        apply_all(catalog,
                  read_indicators(indicator_json(
                      tail, "[domain-name:value = 'd" + std::to_string(i) + ".example']")),
                  kNow);
    }
    apply_all(catalog,
              read_indicators(indicator_json("000000000003", "[domain-name:value = 'x.example']",
                                             "2025-05-01T00:00:00.000Z")),
              kNow);
    catalog.wait_idle();
    CHECK(catalog.current()->segments.size() <= 3);
    for (int i = 0; i < 20; ++i) {
        CAPTURE(i);
        CHECK(hits(catalog, "domain-name:value", ValueKind::Domain,
                   "d" + std::to_string(i) + ".example")
                  .size() == (i == 3 ? 0U : 1U));
    }
    CHECK(hits(catalog, "domain-name:value", ValueKind::Domain, "x.example").size() == 1);
    CHECK(catalog.counts().matched_per_event == 20);
}
