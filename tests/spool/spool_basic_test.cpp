// SPDX-License-Identifier: EUPL-1.2
// The spool's contract: order, cursors, restart, deletion of passed segments, Full.
#include <doctest/doctest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "delivery/spool/alert_spool.hpp"
#include "delivery/spool/spool_segment.hpp"
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

namespace {

// True once thread `tid` of this process is blocked (state S in /proc): for a read of the
// spool, waiting on its condition variable (the spool's mutex is not contended here).
bool thread_blocked(pid_t tid) {
    std::ifstream stat("/proc/self/task/" + std::to_string(tid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const size_t end_of_name = text.rfind(')');
    return end_of_name != std::string::npos && end_of_name + 2 < text.size() &&
           text[end_of_name + 2] == 'S';
}

// Bounded poll on a condition (the bound is a failure deadline, not a measurement).
bool eventually(const std::function<bool()>& done) {
    for (int i = 0; i < 3000 && !done(); ++i) std::this_thread::sleep_for(10ms);  // poll interval
    return done();
}

// Runs spool.read("hub", 10, 1 h) on a thread, and returns once that thread waits.
std::future<SpoolBatch> waiting_read(AlertSpool& spool) {
    std::promise<pid_t> tid;
    auto started = tid.get_future();
    auto batch = std::async(std::launch::async, [&spool, tid = std::move(tid)]() mutable {
        tid.set_value(static_cast<pid_t>(::syscall(SYS_gettid)));
        return spool.read("hub", 10, 1h);
    });
    const pid_t reader = started.get();
    REQUIRE(eventually([&] { return thread_blocked(reader); }));
    return batch;
}

}  // namespace

// The read waits an hour: when it returns, the append or the wake ended it. The 30 s bound
// below only keeps a broken wake-up from hanging the suite.
TEST_CASE("spool: read waits for an append, and wake_readers ends the wait") {
    TempDir dir;
    auto spool = AlertSpool::open(settings_for(dir), {"hub"});
    auto reading = waiting_read(*spool);
    REQUIRE(append_one(*spool, "late") == AppendStatus::Stored);
    const bool woken = reading.wait_for(30s) == std::future_status::ready;
    if (!woken) spool->wake_readers();  // a failure must not hang the suite for an hour
    REQUIRE(woken);
    const SpoolBatch batch = reading.get();
    CHECK(texts(batch) == std::vector<std::string>{"late"});
    spool->commit("hub", batch.next);

    reading = waiting_read(*spool);
    spool->wake_readers();
    REQUIRE(reading.wait_for(30s) == std::future_status::ready);
    CHECK(reading.get().records.empty());
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
    CHECK(spool->stats().bytes == full_bytes - uint64_t{3} * (8 + 60));
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
    spool.reset();
    // A record appended an hour ago, written as the spool writes it (no waiting for age).
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    std::string segment(vigie::spool::kSegmentMagic);
    vigie::spool::encode_record(segment, "old", static_cast<uint64_t>(now_ms - 3600L * 1000));
    std::ofstream(segment_files(dir).at(0), std::ios::binary | std::ios::app)
        << segment.substr(vigie::spool::kSegmentHeaderBytes);
    spool = AlertSpool::open(settings_for(dir), {"hub"});
    REQUIRE(append_one(*spool, "new") == AppendStatus::Stored);
    CursorStats stats = spool->cursor_stats()[0];
    CHECK(stats.name == "hub");
    CHECK(stats.pending_records == 2);
    CHECK(stats.pending_bytes == 2 * (16 + 3));
    CHECK(stats.oldest_pending_age_seconds >= 3600);  // the old record's, not the new one's

    spool->commit("hub", spool->read("hub", 1, 0ms).next);
    stats = spool->cursor_stats()[0];
    CHECK(stats.pending_records == 1);
    CHECK(stats.oldest_pending_age_seconds < 3600);  // now the new record's
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
