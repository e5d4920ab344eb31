// The spool's contract: order, cursors, restart, deletion of passed segments, Full.
#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "spool/alert_spool.hpp"
#include "spool_test_util.hpp"

using namespace vigie;
using namespace vigie::spool_test;
using namespace std::chrono_literals;

TEST_CASE("spool: records come back in append order, read does not move the cursor") {
    TempDir dir;
    auto spool = AlertSpool::open(settings_for(dir), {"hub"});
    const std::string_view first[] = {"a", "b"};
    REQUIRE(spool->append(first) == AppendStatus::Stored);
    REQUIRE(append_one(*spool, "c") == AppendStatus::Stored);

    const SpoolBatch batch = spool->read("hub", 10, 0ms);
    CHECK(texts(batch) == std::vector<std::string>{"a", "b", "c"});
    CHECK(spool->read("hub", 10, 0ms).records.size() == 3);  // not moved by read
    const SpoolBatch two = spool->read("hub", 2, 0ms);
    CHECK(texts(two) == std::vector<std::string>{"a", "b"});

    spool->commit("hub", two.next);
    CHECK(texts(spool->read("hub", 10, 0ms)) == std::vector<std::string>{"c"});
    spool->commit("hub", batch.next);
    CHECK(spool->read("hub", 10, 0ms).records.empty());
    CHECK(spool->read("hub", 10, 0ms).next == batch.next);

    REQUIRE(append_one(*spool, "d") == AppendStatus::Stored);
    CHECK(texts(spool->read("hub", 10, 0ms)) == std::vector<std::string>{"d"});
    CHECK(spool->stats().appended_records == 4);
    CHECK(spool->read("nobody", 10, 0ms).records.empty());
}

TEST_CASE("spool: read waits for an append, and wake_readers ends the wait") {
    TempDir dir;
    auto spool = AlertSpool::open(settings_for(dir), {"hub"});
    std::thread writer([&] {
        std::this_thread::sleep_for(50ms);
        append_one(*spool, "late");
    });
    const auto start = std::chrono::steady_clock::now();
    const SpoolBatch batch = spool->read("hub", 10, 10s);
    writer.join();
    CHECK(texts(batch) == std::vector<std::string>{"late"});
    CHECK(std::chrono::steady_clock::now() - start < 5s);
    spool->commit("hub", batch.next);

    std::thread waker([&] {
        std::this_thread::sleep_for(50ms);
        spool->wake_readers();
    });
    const auto again = std::chrono::steady_clock::now();
    CHECK(spool->read("hub", 10, 10s).records.empty());
    waker.join();
    CHECK(std::chrono::steady_clock::now() - again < 5s);
}

TEST_CASE("spool: a restart resumes from the saved cursor with exact counts") {
    TempDir dir;
    {
        auto spool = AlertSpool::open(settings_for(dir), {"hub"});
        for (const char* r : {"1", "2", "3", "4", "5"})
            REQUIRE(append_one(*spool, r) == AppendStatus::Stored);
        spool->commit("hub", spool->read("hub", 2, 0ms).next);
    }
    std::vector<std::string> notes;
    auto spool = AlertSpool::open(settings_for(dir), {"hub"}, &notes);
    CHECK(notes.empty());
    const auto cursors = spool->cursor_stats();
    REQUIRE(cursors.size() == 1);
    CHECK(cursors[0].pending_records == 3);
    CHECK(cursors[0].pending_bytes == 3 * (16 + 1));
    CHECK(texts(spool->read("hub", 10, 0ms)) == std::vector<std::string>{"3", "4", "5"});
    CHECK(spool->stats().bytes == 8 + 5 * (16 + 1));
}

TEST_CASE("spool: two cursors are independent, a segment goes when both passed it") {
    TempDir dir;
    // 100-byte segments: every 60-byte record (16 + 44) takes a segment of its own.
    auto spool = AlertSpool::open(settings_for(dir, 1 << 20, 100), {"hub", "siem"});
    const std::string record(44, 'x');
    for (int i = 0; i < 5; ++i) REQUIRE(append_one(*spool, record) == AppendStatus::Stored);
    REQUIRE(segment_files(dir).size() == 5);
    const uint64_t full_bytes = spool->stats().bytes;

    const SpoolBatch hub = spool->read("hub", 10, 0ms);
    REQUIRE(hub.records.size() == 5);
    spool->commit("hub", hub.next);
    CHECK(segment_files(dir).size() == 5);  // siem has not read anything
    CHECK(spool->read("siem", 10, 0ms).records.size() == 5);

    const SpoolBatch siem = spool->read("siem", 3, 0ms);
    spool->commit("siem", siem.next);
    CHECK(segment_files(dir).size() == 2);  // the three siem passed
    CHECK(spool->stats().bytes == full_bytes - 3 * (8 + 60));
    CHECK(spool->read("siem", 10, 0ms).records.size() == 2);
    CHECK(spool->read("hub", 10, 0ms).records.empty());

    spool->commit("siem", spool->read("siem", 10, 0ms).next);
    CHECK(segment_files(dir).size() == 1);  // the newest stays: it takes the appends
    for (const auto& c : spool->cursor_stats()) CHECK(c.pending_records == 0);
}

TEST_CASE("spool: Full at max_bytes, counted, and cleared once the cursor passes") {
    TempDir dir;
    // 68 bytes per record and its segment header; segments of at most max/4 = 250 bytes.
    auto spool = AlertSpool::open(settings_for(dir, 1000, 1 << 20), {"hub"});
    const std::string record(44, 'y');
    int stored = 0;
    while (append_one(*spool, record) == AppendStatus::Stored) ++stored;
    CHECK(stored >= 10);
    CHECK(append_one(*spool, record) == AppendStatus::Full);
    const SpoolStats full = spool->stats();
    CHECK(full.full);
    CHECK(full.refused_full == 2);
    CHECK(full.bytes <= 1000);
    const std::string_view two[] = {"small", record};  // all or nothing
    CHECK(spool->append(two) == AppendStatus::Full);
    CHECK(spool->read("hub", 100, 0ms).records.size() == static_cast<size_t>(stored));

    spool->commit("hub", spool->read("hub", 100, 0ms).next);
    CHECK_FALSE(spool->stats().full);
    CHECK(spool->stats().bytes < full.bytes);
    CHECK(append_one(*spool, record) == AppendStatus::Stored);
    CHECK(texts(spool->read("hub", 100, 0ms)) == std::vector<std::string>{record});
}

TEST_CASE("spool: cursor statistics count what is pending and its age") {
    TempDir dir;
    auto spool = AlertSpool::open(settings_for(dir), {"hub"});
    CHECK(spool->cursor_stats()[0].pending_records == 0);
    CHECK(spool->cursor_stats()[0].oldest_pending_age_seconds == 0);
    REQUIRE(append_one(*spool, "old") == AppendStatus::Stored);
    std::this_thread::sleep_for(300ms);
    REQUIRE(append_one(*spool, "new") == AppendStatus::Stored);
    CursorStats stats = spool->cursor_stats()[0];
    CHECK(stats.name == "hub");
    CHECK(stats.pending_records == 2);
    CHECK(stats.pending_bytes == 2 * (16 + 3));
    CHECK(stats.oldest_pending_age_seconds >= 0.29);
    CHECK(stats.oldest_pending_age_seconds < 10);

    spool->commit("hub", spool->read("hub", 1, 0ms).next);
    stats = spool->cursor_stats()[0];
    CHECK(stats.pending_records == 1);
    CHECK(stats.oldest_pending_age_seconds < 0.29);
    spool->commit("hub", spool->read("hub", 1, 0ms).next);
    CHECK(spool->cursor_stats()[0].oldest_pending_age_seconds == 0);
}

TEST_CASE("spool: a new cursor starts at the oldest record, a removed one is dropped") {
    TempDir dir;
    {
        auto spool = AlertSpool::open(settings_for(dir), {"hub"});
        REQUIRE(append_one(*spool, "kept") == AppendStatus::Stored);
    }
    std::vector<std::string> notes;
    auto spool = AlertSpool::open(settings_for(dir), {"webhook"}, &notes);
    CHECK(any_note_contains(notes, "cursor 'hub' is no longer configured"));
    CHECK(any_note_contains(notes, "cursor 'webhook' is new"));
    CHECK(texts(spool->read("webhook", 10, 0ms)) == std::vector<std::string>{"kept"});
    CHECK(spool->read("hub", 10, 0ms).records.empty());
    CHECK_FALSE(std::filesystem::exists(dir.spool() + "/hub.cursor"));
    CHECK(std::filesystem::exists(dir.spool() + "/webhook.cursor"));
}

TEST_CASE("spool: with no cursor nothing is kept") {
    TempDir dir;
    {
        auto spool = AlertSpool::open(settings_for(dir), {"hub"});
        REQUIRE(append_one(*spool, "orphan") == AppendStatus::Stored);
    }
    std::vector<std::string> notes;
    auto spool = AlertSpool::open(settings_for(dir), {}, &notes);
    CHECK(any_note_contains(notes, "1 spooled records were dropped"));
    CHECK(append_one(*spool, "nowhere") == AppendStatus::Stored);
    CHECK(spool->stats().bytes == 0);
    CHECK(spool->stats().fsyncs == 0);
    CHECK(segment_files(dir).empty());
    CHECK(spool->cursor_stats().empty());
}

TEST_CASE("spool: a directory that cannot be used throws at open, and only there") {
    TempDir dir;
    SpoolSettings settings = settings_for(dir);
    settings.directory = dir.path() + "/file";
    { std::ofstream(settings.directory) << "not a directory"; }
    CHECK_THROWS_AS(AlertSpool::open(settings, {"hub"}), std::runtime_error);
    // A second spool on the same directory would interleave records.
    auto first = AlertSpool::open(settings_for(dir), {"hub"});
    CHECK_THROWS_AS(AlertSpool::open(settings_for(dir), {"hub"}), std::runtime_error);
}
