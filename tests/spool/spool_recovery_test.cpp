// SPDX-License-Identifier: EUPL-1.2
// Recovery after a crash: torn and corrupt segment tails, damaged cursor files, disk
// errors as values. And the on-disk formats themselves.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>

#include "delivery/spool/alert_spool.hpp"
#include "delivery/spool/spool_cursor.hpp"
#include "delivery/spool/spool_segment.hpp"
#include "spool_test_util.hpp"

using namespace vigie;
using namespace vigie::spool_test;
using namespace std::chrono_literals;

namespace {

// Three records "first", "second", "third" in one segment, written by a closed spool.
std::filesystem::path three_records(const TempDir& dir) {
    auto spool = AlertSpool::open(settings_for(dir), {"hub"});
    for (const char* r : {"first", "second", "third"}) {
        REQUIRE(append_one(*spool, r) == AppendStatus::Stored);
    }
    return segment_files(dir).at(0);
}

void flip_byte(const std::filesystem::path& file, uint64_t offset) {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(offset));
    char c = 0;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(offset));
    f.put(static_cast<char>(c ^ 0x20));
}

}  // namespace

TEST_CASE("spool recovery: a torn tail is cut off, the records before it stay") {
    TempDir dir;
    const auto segment = three_records(dir);
    const uint64_t size = std::filesystem::file_size(segment);
    std::filesystem::resize_file(segment, size - 3);  // "third" lost its last bytes

    std::vector<std::string> notes;
    auto spool = AlertSpool::open(settings_for(dir), {"hub"}, &notes);
    REQUIRE(notes.size() == 1);
    CHECK(any_note_contains(notes, "cut off"));
    CHECK(std::filesystem::file_size(segment) == 8 + 21 + 22);
    CHECK(texts(spool->read("hub", 10, 0ms)) == std::vector<std::string>{"first", "second"});
    CHECK(spool->cursor_stats()[0].pending_records == 2);
    // Appends go on after the cut, and a second restart finds nothing to repair.
    REQUIRE(append_one(*spool, "fourth") == AppendStatus::Stored);
    CHECK(texts(spool->read("hub", 10, 0ms)) ==
          std::vector<std::string>{"first", "second", "fourth"});
    spool.reset();
    notes.clear();
    spool = AlertSpool::open(settings_for(dir), {"hub"}, &notes);
    CHECK(notes.empty());
    CHECK(spool->read("hub", 10, 0ms).records.size() == 3);
}

TEST_CASE("spool recovery: a torn record header (a few bytes) is cut off") {
    TempDir dir;
    const auto segment = three_records(dir);
    { std::ofstream(segment, std::ios::app | std::ios::binary) << "xyz"; }
    std::vector<std::string> notes;
    auto spool = AlertSpool::open(settings_for(dir), {"hub"}, &notes);
    CHECK(any_note_contains(notes, "torn record header"));
    CHECK(spool->read("hub", 10, 0ms).records.size() == 3);
}

TEST_CASE("spool recovery: flipped bytes are detected by the checksum") {
    TempDir dir;
    const auto segment = three_records(dir);
    SUBCASE("in the last record's data") {
        flip_byte(segment, 8 + 21 + 22 + 16 + 2);
    }
    SUBCASE("in the last record's time") {
        flip_byte(segment, 8 + 21 + 22 + 9);
    }
    std::vector<std::string> notes;
    auto spool = AlertSpool::open(settings_for(dir), {"hub"}, &notes);
    CHECK(any_note_contains(notes, "at offset 51"));
    CHECK(texts(spool->read("hub", 10, 0ms)) == std::vector<std::string>{"first", "second"});
}

TEST_CASE("spool recovery: a corrupt length cannot make the reader run off") {
    TempDir dir;
    const auto segment = three_records(dir);
    flip_byte(segment, 8 + 21 + 7);  // the second record's length becomes huge
    std::vector<std::string> notes;
    auto spool = AlertSpool::open(settings_for(dir), {"hub"}, &notes);
    CHECK(any_note_contains(notes, "at offset 29"));
    CHECK(texts(spool->read("hub", 10, 0ms)) == std::vector<std::string>{"first"});
}

TEST_CASE("spool recovery: a file without the segment header is emptied") {
    TempDir dir;
    three_records(dir);
    { std::ofstream(dir.spool() + "/00000000000000000009.seg") << "garbage, not a segment"; }
    std::vector<std::string> notes;
    auto spool = AlertSpool::open(settings_for(dir), {"hub"}, &notes);
    CHECK(any_note_contains(notes, "no segment header"));
    CHECK(spool->read("hub", 10, 0ms).records.size() == 3);
    REQUIRE(append_one(*spool, "after") == AppendStatus::Stored);
    CHECK(texts(spool->read("hub", 10, 0ms)).back() == "after");
}

TEST_CASE("spool recovery: damaged cursor files") {
    TempDir dir;
    three_records(dir);
    std::vector<std::string> notes;
    SUBCASE("unparsable: starts again at the oldest record") {
        { std::ofstream(dir.spool() + "/hub.cursor") << "12 x\n"; }
        auto spool = AlertSpool::open(settings_for(dir), {"hub"}, &notes);
        CHECK(any_note_contains(notes, "unreadable cursor file"));
        CHECK(spool->read("hub", 10, 0ms).records.size() == 3);
    }
    SUBCASE("inside a record: moves to the next one") {
        { std::ofstream(dir.spool() + "/hub.cursor") << "1 12\n"; }
        auto spool = AlertSpool::open(settings_for(dir), {"hub"}, &notes);
        CHECK(any_note_contains(notes, "inside a record"));
        CHECK(texts(spool->read("hub", 10, 0ms)) == std::vector<std::string>{"second", "third"});
    }
    SUBCASE("past the end: moves to the end") {
        { std::ofstream(dir.spool() + "/hub.cursor") << "7 100\n"; }
        auto spool = AlertSpool::open(settings_for(dir), {"hub"}, &notes);
        CHECK(any_note_contains(notes, "past the end"));
        CHECK(spool->read("hub", 10, 0ms).records.empty());
        REQUIRE(append_one(*spool, "new") == AppendStatus::Stored);
        CHECK(texts(spool->read("hub", 10, 0ms)) == std::vector<std::string>{"new"});
    }
}

namespace {

// Nine records r0..r8 of 20,000 bytes in three segments (64 KiB each: three records a
// segment), written by a closed spool: r0-r2 in segment 1, r3-r5 in 2, r6-r8 in 3.
constexpr size_t kBig = 20000;
std::string big(int i) {
    return "r" + std::to_string(i) + std::string(kBig - 2, 'x');
}
std::vector<std::filesystem::path> nine_records(const TempDir& dir) {
    auto spool = AlertSpool::open(settings_for(dir), {"hub"});
    for (int i = 0; i < 9; ++i) REQUIRE(append_one(*spool, big(i)) == AppendStatus::Stored);
    auto segments = segment_files(dir);
    REQUIRE(segments.size() == 3);
    return segments;
}
// The record names ("r0"...) a read of everything returns.
std::vector<std::string> names_read(AlertSpool& spool) {
    std::vector<std::string> names;
    for (const std::string& text : texts(spool.read("hub", 100, 0ms)))
        names.push_back(text.substr(0, 2));
    return names;
}
constexpr uint64_t kBigFramed = 16 + kBig;
std::string read_cursor_text(const TempDir& dir) {
    std::ifstream in(dir.spool() + "/hub.cursor");
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("spool 6: corruption in an earlier segment: cut there, the later segments whole") {
    TempDir dir;
    const auto segments = nine_records(dir);
    flip_byte(segments[0], 8 + kBigFramed + 16 + 100);  // r1's data
    std::vector<std::string> notes;
    auto spool = AlertSpool::open(settings_for(dir), {"hub"}, &notes);
    CHECK(notes.size() == 1);
    CHECK(any_note_contains(notes, "00000000000000000001.seg: "));
    CHECK(any_note_contains(notes, "at offset " + std::to_string(8 + kBigFramed)));
    // r1 fails its checksum; r2 is intact but follows it in the same segment: dropped too.
    CHECK(names_read(*spool) == std::vector<std::string>{"r0", "r3", "r4", "r5", "r6", "r7", "r8"});
    CHECK(spool->cursor_stats()[0].pending_records == 7);
    CHECK(std::filesystem::file_size(segments[0]) == 8 + kBigFramed);
    // A second start finds nothing more to repair, and appends go on in the newest segment.
    REQUIRE(append_one(*spool, "after") == AppendStatus::Stored);
    spool.reset();
    notes.clear();
    spool = AlertSpool::open(settings_for(dir), {"hub"}, &notes);
    CHECK(notes.empty());
    CHECK(spool->read("hub", 100, 0ms).records.size() == 8);
}

TEST_CASE("spool 6: a first record corrupt empties an earlier segment, kept without a hole") {
    TempDir dir;
    const auto segments = nine_records(dir);
    flip_byte(segments[1], 8 + 16 + 100);  // r3, the first record of segment 2
    std::vector<std::string> notes;
    auto spool = AlertSpool::open(settings_for(dir), {"hub"}, &notes);
    CHECK(any_note_contains(notes, "00000000000000000002.seg: "));
    CHECK(names_read(*spool) == std::vector<std::string>{"r0", "r1", "r2", "r6", "r7", "r8"});
    // The emptied segment stays until the cursor passes it: no hole in the numbers, so the
    // next start does not report a segment as missing.
    spool.reset();
    notes.clear();
    spool = AlertSpool::open(settings_for(dir), {"hub"}, &notes);
    CHECK(notes.empty());
    spool->commit("hub", spool->read("hub", 100, 0ms).next);
    CHECK(segment_files(dir).size() == 1);
}

TEST_CASE("spool 6: a missing segment is reported, the others are read whole") {
    TempDir dir;
    const auto segments = nine_records(dir);
    std::filesystem::remove(segments[1]);
    std::vector<std::string> notes;
    auto spool = AlertSpool::open(settings_for(dir), {"hub"}, &notes);
    CHECK(notes.size() == 1);
    CHECK(any_note_contains(notes, "segment 00000000000000000002.seg is missing"));
    CHECK(names_read(*spool) == std::vector<std::string>{"r0", "r1", "r2", "r6", "r7", "r8"});
    CHECK(spool->cursor_stats()[0].pending_records == 6);
}

// Saved cursors always name a segment that exists (the end of a segment no longer written
// is saved as the start of the next, and a segment goes once every cursor is beyond it):
// one naming a missing segment means alerts were removed before it forwarded them.
TEST_CASE("spool 6: a cursor pointing into a deleted segment") {
    TempDir dir;
    const auto segments = nine_records(dir);
    // commit_after(n): the cursor saved after the first n records.
    const auto commit_after = [&](size_t n) {
        auto spool = AlertSpool::open(settings_for(dir), {"hub"});
        spool->commit("hub", spool->read("hub", n, 0ms).next);
    };
    std::vector<std::string> notes;
    SUBCASE("its segment removed: reported, the cursor starts at the oldest retained") {
        commit_after(4);  // inside segment 2, after r3; segment 1 is deleted
        CHECK_FALSE(std::filesystem::exists(segments[0]));
        std::filesystem::remove(segments[1]);
        auto spool = AlertSpool::open(settings_for(dir), {"hub"}, &notes);
        CHECK(notes.size() == 1);
        CHECK(any_note_contains(
            notes, "cursor 'hub' pointed into segment 00000000000000000002.seg, which is gone: "));
        CHECK(names_read(*spool) == std::vector<std::string>{"r6", "r7", "r8"});
    }
    SUBCASE("at a segment's end, deleted as usual: nothing to report") {
        commit_after(3);  // the end of segment 1: saved as the start of segment 2
        CHECK_FALSE(std::filesystem::exists(segments[0]));
        CHECK(read_cursor_text(dir) == "2 8\n");
        auto spool = AlertSpool::open(settings_for(dir), {"hub"}, &notes);
        CHECK(notes.empty());
        CHECK(names_read(*spool) == std::vector<std::string>{"r3", "r4", "r5", "r6", "r7", "r8"});
    }
    SUBCASE("it and the next one removed: both reported") {
        { std::ofstream(dir.spool() + "/hub.cursor") << "1 " << 8 + kBigFramed << "\n"; }
        std::filesystem::remove(segments[0]);
        std::filesystem::remove(segments[1]);
        auto spool = AlertSpool::open(settings_for(dir), {"hub"}, &notes);
        CHECK(any_note_contains(notes,
                                "cursor 'hub' pointed into segment "
                                "00000000000000000001.seg, which is gone with the "
                                "segments up to 00000000000000000002.seg"));
        CHECK(names_read(*spool) == std::vector<std::string>{"r6", "r7", "r8"});
    }
    SUBCASE("a hole before its segment: reported, the cursor goes to the next segment") {
        commit_after(1);  // inside segment 1
        std::filesystem::remove(segments[1]);
        auto spool = AlertSpool::open(settings_for(dir), {"hub"}, &notes);
        CHECK(any_note_contains(notes, "segment 00000000000000000002.seg is missing"));
        CHECK(names_read(*spool) == std::vector<std::string>{"r1", "r2", "r6", "r7", "r8"});
    }
    SUBCASE("its segment in a hole: reported, the cursor goes to the next segment") {
        commit_after(4);
        { std::ofstream(dir.spool() + "/hub.cursor") << "2 " << 8 + kBigFramed << "\n"; }
        // Segment 1 back (as a restore from backup would), 2 removed: 2 is a hole.
        { std::ofstream(segments[0], std::ios::binary) << vigie::spool::kSegmentMagic; }
        std::filesystem::remove(segments[1]);
        auto spool = AlertSpool::open(settings_for(dir), {"hub"}, &notes);
        CHECK(any_note_contains(notes, "cursor 'hub' pointed into the missing segment"));
        CHECK(names_read(*spool) == std::vector<std::string>{"r6", "r7", "r8"});
    }
    // Wherever it was placed, the cursor file now says so; once the cursor is beyond the
    // hole (delivered everything), a restart has nothing to report.
    {
        auto spool = AlertSpool::open(settings_for(dir), {"hub"});
        spool->commit("hub", spool->read("hub", 100, 0ms).next);
    }
    std::vector<std::string> again;
    auto spool = AlertSpool::open(settings_for(dir), {"hub"}, &again);
    CHECK(again.empty());
    CHECK(spool->read("hub", 100, 0ms).records.empty());
}

TEST_CASE("spool: a failed write is an IoError value, and leaves nothing behind") {
    TempDir dir;
    auto spool = AlertSpool::open(settings_for(dir), {"hub"});
    REQUIRE(append_one(*spool, "before") == AppendStatus::Stored);
    // A file size limit makes the next write fail (EFBIG) like a full disk would.
    ::signal(SIGXFSZ, SIG_IGN);
    rlimit old{};
    ::getrlimit(RLIMIT_FSIZE, &old);
    rlimit small = old;
    small.rlim_cur = 100;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
    const AppendStatus status = append_one(*spool, std::string(200, 'z'));
    ::setrlimit(RLIMIT_FSIZE, &old);
    CHECK(status == AppendStatus::IoError);
    CHECK(spool->last_error().find("cannot write") != std::string::npos);
    REQUIRE(append_one(*spool, "after") == AppendStatus::Stored);
    CHECK(texts(spool->read("hub", 10, 0ms)) == std::vector<std::string>{"before", "after"});
    spool.reset();
    std::vector<std::string> notes;
    spool = AlertSpool::open(settings_for(dir), {"hub"}, &notes);
    CHECK(notes.empty());
    CHECK(spool->read("hub", 10, 0ms).records.size() == 2);
}

TEST_CASE("spool format: records, segment names, cursor files") {
    using namespace vigie::spool;
    std::string framed;
    encode_record(framed, "payload", 1234567890123);
    REQUIRE(framed.size() == kRecordHeaderBytes + 7);
    const RecordHeader header = decode_record_header(framed.data());
    CHECK(header.length == 7);
    CHECK(header.unix_ms == 1234567890123);
    CHECK(record_intact(header, std::string_view(framed).substr(kRecordHeaderBytes)));
    CHECK_FALSE(record_intact(header, "paYload"));
    CHECK_FALSE(record_intact(header, "payloa"));

    CHECK(segment_file_name(42) == "00000000000000000042.seg");
    CHECK(parse_segment_file_name("00000000000000000042.seg") == 42U);
    CHECK_FALSE(parse_segment_file_name("0000000000000000042.seg"));
    CHECK_FALSE(parse_segment_file_name("0000000000000000004x.seg"));
    CHECK_FALSE(parse_segment_file_name("00000000000000000000.seg"));

    CHECK(cursor_file_name("hub-1") == "hub-1.cursor");
    CHECK(cursor_file_name("../a b") == "%2E%2E%2Fa%20b.cursor");
    CHECK(parse_cursor_file_name("%2E%2E%2Fa%20b.cursor") == std::string("../a b"));
    CHECK_FALSE(parse_cursor_file_name("%41.cursor"));  // not how 'A' is written
    CHECK_FALSE(parse_cursor_file_name("%2.cursor"));
    CHECK(parse_cursor_file_name(".cursor") == std::string());
    CHECK_FALSE(parse_cursor_file_name("hub.cursor.tmp"));

    CHECK(parse_cursor("3 80\n") == SpoolPosition{3, 80});
    CHECK(parse_cursor(format_cursor({18446744073709551615ULL, 7})) ==
          SpoolPosition{18446744073709551615ULL, 7});
    for (const char* bad :
         {"", "3 80", "3  80\n", "-3 80\n", "3 80\n\n", "3 +80\n", "99999999999999999999 1\n"}) {
        CHECK_FALSE(parse_cursor(bad));
    }
}
