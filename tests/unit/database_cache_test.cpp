// SPDX-License-Identifier: EUPL-1.2
// The on-disk cache of Hyperscan databases: a hit gives a working database, a corrupt,
// truncated or foreign file is a miss, and a restart with unchanged rules compiles
// nothing while matching the same.
#include "detector/database_cache.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/sigma_harness.hpp"

using namespace vigie;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("vigie-cache-test-" + std::to_string(::getpid()));
    TempDir() { fs::remove_all(path); }
    ~TempDir() { fs::remove_all(path); }
};

PatternList literals(std::initializer_list<const char*> texts) {
    PatternList list;
    list.literal = true;
    for (const char* t : texts) {
        list.expressions.push_back(t);
        list.lengths.push_back(std::strlen(t));
        list.flags.push_back(HS_FLAG_CASELESS);
        list.ids.push_back(static_cast<unsigned>(list.ids.size()));
    }
    return list;
}

hs_database_t* compile(const PatternList& l) {
    hs_database_t* db = nullptr;
    hs_compile_error_t* err = nullptr;
    REQUIRE(hs_compile_lit_multi(l.expressions.data(), l.flags.data(), l.ids.data(),
                                 l.lengths.data(), static_cast<unsigned>(l.ids.size()),
                                 HS_MODE_BLOCK, nullptr, &db, &err) == HS_SUCCESS);
    return db;
}

bool finds(hs_database_t* db, const std::string& text) {
    hs_scratch_t* scratch = nullptr;
    REQUIRE(hs_alloc_scratch(db, &scratch) == HS_SUCCESS);
    bool found = false;
    hs_scan(
        db, text.data(), static_cast<unsigned>(text.size()), 0, scratch,
        [](unsigned, unsigned long long, unsigned long long, unsigned, void* ctx) {
            *static_cast<bool*>(ctx) = true;
            return 0;
        },
        &found);
    hs_free_scratch(scratch);
    return found;
}

}  // namespace

TEST_CASE("a cached database is found again and still matches") {
    TempDir dir;
    DatabaseCache cache(dir.path.string());
    PatternList list = literals({"whoami", "mimikatz"});
    CHECK(cache.load(list.key()) == nullptr);
    hs_database_t* db = compile(list);
    Diagnostics diags;
    cache.store(list.key(), db, diags);
    hs_free_database(db);
    CHECK(diags.empty());
    hs_database_t* loaded = cache.load(list.key());
    REQUIRE(loaded != nullptr);
    CHECK(finds(loaded, "cmd /c WHOAMI /all"));
    CHECK_FALSE(finds(loaded, "cmd /c dir"));
    hs_free_database(loaded);
}

TEST_CASE("the key changes with any pattern, flag or id") {
    PatternList a = literals({"whoami", "mimikatz"});
    PatternList b = literals({"whoami", "mimikatZ"});
    PatternList c = literals({"whoami", "mimikatz"});
    c.flags[1] = 0;
    PatternList d = literals({"whoami", "mimikatz"});
    d.literal = false;
    CHECK(a.key().hex() == literals({"whoami", "mimikatz"}).key().hex());
    CHECK(a.key().hex() != b.key().hex());
    CHECK(a.key().hex() != c.key().hex());
    CHECK(a.key().hex() != d.key().hex());
    CHECK(a.key().hex().size() == 32);
}

TEST_CASE("a corrupt or truncated cache file is a miss, and is rewritten") {
    TempDir dir;
    DatabaseCache cache(dir.path.string());
    PatternList list = literals({"vssadmin", "shadows"});
    hs_database_t* db = compile(list);
    Diagnostics diags;
    cache.store(list.key(), db, diags);
    fs::path file = dir.path / (list.key().hex() + ".hsdb");
    REQUIRE(fs::exists(file));
    const auto size = fs::file_size(file);
    {
        std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(size / 2));
        f.put('\x5a');
    }
    CHECK(cache.load(list.key()) == nullptr);
    fs::resize_file(file, size / 3);
    CHECK(cache.load(list.key()) == nullptr);
    cache.store(list.key(), db, diags);  // what a rebuild does
    hs_database_t* again = cache.load(list.key());
    CHECK(again != nullptr);
    CHECK(fs::file_size(file) == size);
    hs_free_database(again);
    hs_free_database(db);
}

TEST_CASE("an unwritable cache directory is a warning, not a failure") {
    DatabaseCache cache("/proc/vigie-no-such-dir");
    PatternList list = literals({"x"});
    hs_database_t* db = compile(list);
    Diagnostics diags;
    cache.store(list.key(), db, diags);
    hs_free_database(db);
    REQUIRE(diags.size() == 1);
    CHECK(diags[0].severity == Severity::Warning);
}

TEST_CASE("a second compile of the same rules takes every database from the cache") {
    TempDir dir;
    const std::string rule = R"(
title: t
id: r1
logsource: {product: windows}
detection:
  sel:
    CommandLine|contains: ['whoami', 'net user']
  re:
    Image|re: '\\(cmd|powershell)\.exe$'
  condition: sel and re
)";
    test::SigmaHarness first(rule, test::kFlatMapping, nullptr, dir.path.string());
    CHECK(first.report().prefilter_cached == 0);
    REQUIRE(first.report().prefilter_databases >= 1);
    test::SigmaHarness second(rule, test::kFlatMapping, nullptr, dir.path.string());
    CHECK(second.report().prefilter_cached == second.report().prefilter_databases);
    const char* hit = R"({"CommandLine":"NET USER x /add","Image":"C:\\Windows\\cmd.exe"})";
    const char* miss = R"({"CommandLine":"dir","Image":"C:\\Windows\\cmd.exe"})";
    CHECK(first.matches(hit));
    CHECK(second.matches(hit));
    CHECK_FALSE(second.matches(miss));
}

TEST_CASE("prune removes databases unused for a month and stale temporaries, nothing else") {
    TempDir dir;
    DatabaseCache cache(dir.path.string());
    Diagnostics diags;
    PatternList old_list = literals({"old rule set"});
    PatternList used_list = literals({"current rule set"});
    PatternList fresh_list = literals({"just compiled"});
    for (const auto* l : {&old_list, &used_list, &fresh_list}) {
        hs_database_t* db = compile(*l);
        cache.store(l->key(), db, diags);
        hs_free_database(db);
    }
    auto file = [&](const PatternList& l) { return dir.path / (l.key().hex() + ".hsdb"); };
    const auto month_ago = fs::file_time_type::clock::now() - std::chrono::hours(24 * 31);
    fs::last_write_time(file(old_list), month_ago);
    fs::last_write_time(file(used_list), month_ago);
    std::ofstream(dir.path / (old_list.key().hex() + ".hsdb.tmp.4242")) << "partial";
    fs::last_write_time(dir.path / (old_list.key().hex() + ".hsdb.tmp.4242"), month_ago);
    std::ofstream(dir.path / "notes.txt") << "not ours";
    fs::last_write_time(dir.path / "notes.txt", month_ago);

    hs_database_t* used = cache.load(used_list.key());  // a load marks it as in use
    REQUIRE(used != nullptr);
    hs_free_database(used);
    CHECK(cache.prune() == 2);
    CHECK_FALSE(fs::exists(file(old_list)));
    CHECK_FALSE(fs::exists(dir.path / (old_list.key().hex() + ".hsdb.tmp.4242")));
    CHECK(fs::exists(file(used_list)));
    CHECK(fs::exists(file(fresh_list)));
    CHECK(fs::exists(dir.path / "notes.txt"));
    CHECK(cache.prune() == 0);
}

TEST_CASE("issue 19 item 8: threads storing the same database at once all succeed, silently") {
    TempDir dir;
    DatabaseCache cache(dir.path.string());
    PatternList list = literals({"whoami", "mimikatz", "vssadmin delete shadows"});
    hs_database_t* db = compile(list);
    constexpr int kWriters = 8;
    for (int round = 0; round < 20; ++round) {
        std::vector<Diagnostics> diags(kWriters);
        std::latch start(kWriters);
        std::vector<std::thread> writers;
        writers.reserve(kWriters);
        for (int i = 0; i < kWriters; ++i) {
            writers.emplace_back([&, i] {
                start.arrive_and_wait();  // every writer stores at the same moment
                cache.store(list.key(), db, diags[static_cast<size_t>(i)]);
            });
        }
        for (auto& w : writers) w.join();
        for (const auto& d : diags) CHECK_MESSAGE(d.empty(), (d.empty() ? "" : d[0].message));
    }
    hs_free_database(db);
    hs_database_t* loaded = cache.load(list.key());
    REQUIRE(loaded != nullptr);
    CHECK(finds(loaded, "mimikatz.exe"));
    hs_free_database(loaded);
    size_t files = 0;
    for (const auto& entry : fs::directory_iterator(dir.path)) {
        INFO(entry.path().string());
        CHECK(entry.path().extension() == ".hsdb");  // no temporary left behind
        ++files;
    }
    CHECK(files == 1);
}
