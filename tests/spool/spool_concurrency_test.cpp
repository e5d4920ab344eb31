// SPDX-License-Identifier: EUPL-1.2
// Many appenders and one reader per cursor at once: nothing lost, nothing twice, order
// kept, and the group commit shares its fsyncs.
#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <thread>

#include "delivery/spool/alert_spool.hpp"
#include "spool_test_util.hpp"

using namespace vigie;
using namespace vigie::spool_test;
using namespace std::chrono_literals;

namespace {

constexpr int kWriters = 4;
constexpr int kAppendsPerWriter = 150;

// Appends "w<writer>:<n>" records: two in every third append, one in the others.
constexpr size_t kRecordsPerWriter = kAppendsPerWriter + (kAppendsPerWriter + 2) / 3;

void write_all(AlertSpool& spool, int writer, std::atomic<int>& appends) {
    const std::string prefix = "w" + std::to_string(writer) + ":";
    int n = 0;
    for (int i = 0; i < kAppendsPerWriter; ++i) {
        const std::string a = prefix + std::to_string(n++);
        const std::string b = i % 3 == 0 ? prefix + std::to_string(n++) : std::string();
        const std::string_view records[] = {a, b};
        const size_t count = i % 3 == 0 ? 2 : 1;
        REQUIRE(spool.append(std::span(records, count)) == AppendStatus::Stored);
        appends.fetch_add(1);
    }
}

// Reads and commits until `expected` records came; returns them in order.
std::vector<std::string> drain(AlertSpool& spool, const std::string& cursor, size_t expected) {
    std::vector<std::string> seen;
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (seen.size() < expected && std::chrono::steady_clock::now() < deadline) {
        const SpoolBatch batch = spool.read(cursor, 37, 200ms);
        for (const auto& record : batch.records) seen.push_back(record.data);
        spool.commit(cursor, batch.next);
    }
    return seen;
}

}  // namespace

TEST_CASE("spool: concurrent appenders and readers see every record once, in order") {
    TempDir dir;
    // Small segments so that records cross many of them, and they get deleted meanwhile.
    auto spool = AlertSpool::open(settings_for(dir, 64 << 20, 4096, 5), {"hub", "siem"});
    std::atomic<int> appends{0};
    const size_t expected = kWriters * kRecordsPerWriter;
    std::vector<std::string> hub;
    std::vector<std::string> siem;
    std::thread hub_reader([&] { hub = drain(*spool, "hub", expected); });
    std::thread siem_reader([&] { siem = drain(*spool, "siem", expected); });
    std::vector<std::thread> writers;
    writers.reserve(kWriters);
    for (int w = 0; w < kWriters; ++w)
        writers.emplace_back([&, w] { write_all(*spool, w, appends); });
    for (auto& t : writers) t.join();
    hub_reader.join();
    siem_reader.join();

    REQUIRE(hub.size() == expected);
    CHECK(hub == siem);  // the same order for every cursor
    // Every record once, and each writer's records in the order it appended them.
    std::map<int, int> next_of_writer;
    for (const std::string& record : hub) {
        const int writer = std::stoi(record.substr(1));
        const int n = std::stoi(record.substr(record.find(':') + 1));
        CHECK(n == next_of_writer[writer]);
        next_of_writer[writer] = n + 1;
    }
    const SpoolStats stats = spool->stats();
    CHECK(stats.appended_records == expected);
    MESSAGE("appends: " << appends.load() << ", fsyncs: " << stats.fsyncs);
    CHECK(stats.fsyncs < static_cast<uint64_t>(appends.load()));
    CHECK(segment_files(dir).size() <= 2);  // both cursors passed the rest
    for (const auto& c : spool->cursor_stats()) CHECK(c.pending_records == 0);
}

TEST_CASE("spool: appends within the fsync interval share one fsync") {
    TempDir dir;
    auto spool = AlertSpool::open(settings_for(dir, 64 << 20, 1 << 20, 50), {"hub"});
    REQUIRE(append_one(*spool, "warm") == AppendStatus::Stored);  // sets the interval's start
    const uint64_t before = spool->stats().fsyncs;
    std::vector<std::thread> threads;
    threads.reserve(8);
    for (int i = 0; i < 8; ++i) {
        threads.emplace_back(
            [&, i] { CHECK(append_one(*spool, std::to_string(i)) == AppendStatus::Stored); });
    }
    for (auto& t : threads) t.join();
    const uint64_t used = spool->stats().fsyncs - before;
    MESSAGE("8 concurrent appends took " << used << " fsyncs");
    CHECK(used >= 1);
    CHECK(used < 8);
    CHECK(spool->read("hub", 100, 0ms).records.size() == 9);
}
