// SPDX-License-Identifier: EUPL-1.2
// The TAXII collection store: versions, duplicates, date_added order, pagination,
// added_after, deletion and persistence across reopening.
#include <doctest/doctest.h>
#include <simdjson.h>

#include <filesystem>

#include "federation/stix/timestamp.hpp"
#include "federation/taxii/stix_object.hpp"
#include "tests/unit/taxii_test_objects.hpp"

using namespace taxii_test;

namespace {

StixObjectRecord record(const std::string& json, stix::Tlp default_tlp = stix::Tlp::Amber) {
    simdjson::dom::parser parser;
    CheckedObject c = check_stix_object(parser.parse(json), default_tlp);
    REQUIRE_MESSAGE(c.record.ok(), c.record.error().message);
    return *c.record;
}

ObjectFilter everything() {
    ObjectFilter f;
    f.visible_tlps = 0x1F;
    f.versions.all = true;
    return f;
}

std::unique_ptr<CollectionStore> memory_store() {
    auto store = CollectionStore::open(":memory:");
    REQUIRE_MESSAGE(store.ok(), store.error().message);
    return std::move(store).value();
}

}  // namespace

TEST_CASE("taxii store: a version is stored once, versions are told apart") {
    auto store = memory_store();
    auto first = store->add(kCollection, {record(indicator(1, "2024-01-01T00:00:00.000Z")),
                                          record(indicator(1, "2024-02-01T00:00:00.000Z"))});
    CHECK(first == std::vector<AddOutcome>{AddOutcome::Added, AddOutcome::Added});
    auto again = store->add(kCollection, {record(indicator(1, "2024-02-01T00:00:00.000Z"))});
    CHECK(again == std::vector<AddOutcome>{AddOutcome::AlreadyThere});
    // The same object in another collection is another copy.
    CHECK(store->add(kOtherCollection, {record(indicator(1))})[0] == AddOutcome::Added);

    ObjectFilter f = everything();
    CHECK(store->query(kCollection, f, 10, true)->objects.size() == 2);
    f.versions = VersionMatch{false, true, false, {}};
    auto last = store->query(kCollection, f, 10, true)->objects;
    REQUIRE(last.size() == 1);
    CHECK(last[0].version == *stix::parse_timestamp("2024-02-01T00:00:00.000Z"));
    f.versions = VersionMatch{false, false, true, {}};
    CHECK(store->query(kCollection, f, 10, false)->objects[0].version ==
          *stix::parse_timestamp("2024-01-01T00:00:00.000Z"));
    f.versions =
        VersionMatch{false, false, false, {*stix::parse_timestamp("2024-02-01T00:00:00Z")}};
    CHECK(store->query(kCollection, f, 10, false)->objects.size() == 1);
}

TEST_CASE("taxii store: an observable without versions is stored once by id") {
    auto store = memory_store();
    const std::string sco =
        R"({"type":"domain-name","spec_version":"2.1","id":"domain-name--dd3b0b63-1d0e-5e3e-8f5b-3e3b2d4f5a61","value":"evil.example"})";
    CHECK(store->add(kCollection, {record(sco)})[0] == AddOutcome::Added);
    CHECK(store->add(kCollection, {record(sco)})[0] == AddOutcome::AlreadyThere);
    auto page = store->query(kCollection, everything(), 10, true);
    REQUIRE(page->objects.size() == 1);
    CHECK(page->objects[0].version == page->objects[0].date_added);
}

TEST_CASE("taxii store: pages follow date_added, which strictly increases") {
    auto store = memory_store();
    std::vector<StixObjectRecord> records;
    records.reserve(25);
    for (int i = 0; i < 25; ++i) records.push_back(record(indicator(i)));
    store->add(kCollection, records);
    ObjectFilter f = everything();
    std::vector<std::string> seen;
    int64_t previous = 0;
    for (int pages = 0; pages < 10; ++pages) {
        auto page = store->query(kCollection, f, 10, false);
        REQUIRE(page);
        for (const auto& o : page->objects) {
            CHECK(o.date_added > previous);
            previous = o.date_added;
            seen.push_back(o.id);
        }
        CHECK(page->more == (seen.size() < 25));
        if (!page->more) break;
        f.added_after = page->objects.back().date_added;
    }
    CHECK(seen.size() == 25);
    CHECK(seen.front() == indicator_id(0));
    CHECK(seen.back() == indicator_id(24));
}

TEST_CASE("taxii store: match filters and deletion") {
    auto store = memory_store();
    store->add(kCollection, {record(indicator(1)), record(indicator(2)),
                             record(indicator(2, "2024-03-01T00:00:00.000Z"))});
    ObjectFilter f = everything();
    f.ids = {indicator_id(2)};
    CHECK(store->query(kCollection, f, 10, false)->objects.size() == 2);
    f.types = {"malware"};
    CHECK(store->query(kCollection, f, 10, false)->objects.empty());
    f.types.clear();
    f.versions =
        VersionMatch{false, false, false, {*stix::parse_timestamp("2024-03-01T00:00:00Z")}};
    CHECK(*store->remove(kCollection, f) == 1);
    f.versions.all = true;
    CHECK(store->query(kCollection, f, 10, false)->objects.size() == 1);
    CHECK(*store->remove(kCollection, f) == 1);
    CHECK(*store->remove(kCollection, f) == 0);
}

TEST_CASE("taxii store: objects and statuses survive reopening the file") {
    const auto path = std::filesystem::temp_directory_path() /
                      ("vigie-taxii-store-" + std::to_string(::getpid()) + ".sqlite");
    std::filesystem::remove(path);
    int64_t last_added = 0;
    {
        auto opened = CollectionStore::open(path.string());
        REQUIRE_MESSAGE(opened.ok(), opened.error().message);
        auto& store = *opened;
        store->add(kCollection, {record(indicator(1)), record(indicator(2))});
        last_added = store->query(kCollection, everything(), 10, false)->objects.back().date_added;
        CHECK(store->save_status("s1", "api1/peer", R"({"id":"s1"})"));
    }
    auto opened = CollectionStore::open(path.string());
    REQUIRE(opened.ok());
    auto& store = *opened;
    CHECK(store->query(kCollection, everything(), 10, true)->objects.size() == 2);
    CHECK(store->add(kCollection, {record(indicator(1))})[0] == AddOutcome::AlreadyThere);
    store->add(kCollection, {record(indicator(3))});
    CHECK(store->query(kCollection, everything(), 10, false)->objects.back().date_added >
          last_added);
    CHECK(store->status("s1", "api1/peer") == std::string(R"({"id":"s1"})"));
    CHECK_FALSE(store->status("s1", "api1/other"));
    store.reset();
    std::filesystem::remove(path);
    std::filesystem::remove(path.string() + "-wal");
    std::filesystem::remove(path.string() + "-shm");
}

TEST_CASE("taxii objects: what a posted object must be") {
    simdjson::dom::parser parser;
    auto check = [&](const std::string& json) {
        return check_stix_object(parser.parse(json), stix::Tlp::Amber);
    };
    CHECK(check(indicator(1)).record);
    CHECK(check(indicator(1, "2024-01-01T00:00:00.000Z", std::nullopt)).record->tlp ==
          stix::Tlp::Amber);
    CHECK(check(indicator(1, "2024-01-01T00:00:00.000Z", stix::Tlp::Red)).record->tlp ==
          stix::Tlp::Red);
    CHECK_FALSE(check("[1]").record);
    CHECK_FALSE(
        check(
            R"({"type":"indicator","spec_version":"2.1","id":"malware--00000000-0000-4000-8000-000000000001","created":"2024-01-01T00:00:00Z","modified":"2024-01-01T00:00:00Z"})")
            .record);
    CHECK_FALSE(
        check(
            R"({"type":"indicator","spec_version":"2.0","id":"indicator--00000000-0000-4000-8000-000000000001","created":"2024-01-01T00:00:00Z","modified":"2024-01-01T00:00:00Z"})")
            .record);
    CHECK_FALSE(
        check(
            R"({"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-000000000001","created":"2024-01-01T00:00:00Z"})")
            .record);
    CHECK_FALSE(
        check(
            R"({"type":"indicator","spec_version":"2.1","id":"indicator--0000","created":"2024-01-01T00:00:00Z","modified":"2024-01-01T00:00:00Z"})")
            .record);
    CHECK_FALSE(
        check(
            R"({"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-000000000001","created":"yesterday","modified":"2024-01-01T00:00:00Z"})")
            .record);
    CHECK(
        check(
            R"({"type":"marking-definition","spec_version":"2.1","id":"marking-definition--00000000-0000-4000-8000-000000000001","created":"2024-01-01T00:00:00Z","name":"x"})")
            .record);
}
