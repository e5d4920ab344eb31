// SPDX-License-Identifier: EUPL-1.2
// Filters, the file output (rotation, fsync policies, write errors as values) and the
// AlertDelivery sink: spool first, then local outputs; a full spool refuses the input.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "delivery/outputs/alert_delivery.hpp"
#include "delivery/outputs/output_filter.hpp"
#include "tests/outputs/output_test_support.hpp"

using namespace vigie;
using namespace vigie::test;

namespace {

AlertRouting routing(Level level, std::string_view agency = "demo",
                     std::string_view tags = "attack.execution,attack.t1059",
                     std::string_view rule = "r1") {
    return AlertRouting{"uid", agency, rule, tags, level};
}

OutputSettings file_output(const std::string& path, uint64_t rotate, uint32_t keep,
                           FsyncPolicy fsync) {
    OutputSettings s;
    s.name = "file";
    s.type = OutputType::File;
    s.file.path = path;
    s.file.rotate_bytes = rotate;
    s.file.keep_files = keep;
    s.file.fsync = fsync;
    return s;
}

size_t count_lines(const std::string& text) {
    return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

// A spool that answers every append with one status: the Full case without filling a disk.
class FixedSpool final : public AlertSpool {
  public:
    explicit FixedSpool(AppendStatus status) : status_(status) {}
    void set(AppendStatus status) { status_ = status; }
    AppendStatus append(std::span<const std::string_view> records) override {
        if (status_ == AppendStatus::Stored) {
            stored += records.size();
            kept.insert(kept.end(), records.begin(), records.end());
        }
        return status_;
    }
    SpoolBatch read(std::string_view, size_t, std::chrono::milliseconds) override { return {}; }
    void commit(std::string_view, SpoolPosition) override {}
    [[nodiscard]] SpoolStats stats() const override {
        SpoolStats s;
        s.max_bytes = 1073741824;
        return s;
    }
    [[nodiscard]] std::vector<CursorStats> cursor_stats() const override { return {}; }
    void wake_readers() override {}
    size_t stored = 0;
    std::vector<std::string> kept;

  private:
    AppendStatus status_;
};

std::vector<AlertRecord> alert_records(size_t n, Level level = Level::High,
                                       const std::string& agency = "demo") {
    std::vector<AlertRecord> out;
    for (size_t i = 0; i < n; ++i)
        out.push_back(make_record("u" + std::to_string(i), agency, level));
    return out;
}

std::vector<AlertRecord> operator+(std::vector<AlertRecord> a, const std::vector<AlertRecord>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

}  // namespace

TEST_CASE("filter: level, agencies, tags, excluded rules") {
    OutputFilter f;
    CHECK(filter_accepts(f, routing(Level::Informational)));
    f.min_level = Level::High;
    CHECK_FALSE(filter_accepts(f, routing(Level::Medium)));
    CHECK(filter_accepts(f, routing(Level::High)));
    CHECK(filter_accepts(f, routing(Level::Critical)));
    f.agencies = {"chu-lyon", "demo"};
    CHECK(filter_accepts(f, routing(Level::High, "demo")));
    CHECK_FALSE(filter_accepts(f, routing(Level::High, "other")));
    CHECK_FALSE(filter_accepts(f, routing(Level::High, "")));
    f.tags = {"attack.t1059"};
    CHECK(filter_accepts(f, routing(Level::High)));
    CHECK_FALSE(filter_accepts(f, routing(Level::High, "demo", "attack.t1059.001")));
    CHECK_FALSE(filter_accepts(f, routing(Level::High, "demo", "")));
    f.exclude_rules = {"r1"};
    CHECK_FALSE(filter_accepts(f, routing(Level::High)));
    CHECK(filter_accepts(f, routing(Level::High, "demo", "attack.t1059", "r2")));
}

TEST_CASE("filter: an output leaving the organisation enforces the alert's TLP") {
    OutputFilter local;
    OutputFilter hub;
    hub.leaves_organisation = true;
    OutputFilter amber_hub = hub;
    amber_hub.tlp_amber = true;
    const char* tags[] = {"stix.indicator,tlp:clear", "stix.indicator,tlp:green",
                          "stix.indicator,tlp:amber", "stix.indicator,tlp:amber+strict",
                          "stix.indicator,tlp:red",   "attack.t1059"};
    // clear, green, amber, amber+strict, red, a Sigma rule without TLP
    const bool to_hub[] = {true, true, false, false, false, true};
    const bool to_amber_hub[] = {true, true, true, false, false, true};
    for (size_t i = 0; i < 6; ++i) {
        CAPTURE(tags[i]);
        CHECK(filter_accepts(local, routing(Level::High, "demo", tags[i])));
        CHECK(filter_accepts(hub, routing(Level::High, "demo", tags[i])) == to_hub[i]);
        CHECK(filter_accepts(amber_hub, routing(Level::High, "demo", tags[i])) == to_amber_hub[i]);
    }
}

TEST_CASE("file output: rotation by size keeps keep_files files") {
    TempDir dir;
    const std::string path = dir.path + "/alerts.ndjson";
    LocalOutput out(file_output(path, 100, 2, FsyncPolicy::Never));
    const std::string line = std::string(29, 'x') + "\n";  // 30 bytes: 3 per file
    for (int i = 0; i < 10; ++i) REQUIRE(out.write(line).ok());
    CHECK(out.rotations() == 3);
    CHECK(std::filesystem::file_size(path) == 30);
    CHECK(std::filesystem::file_size(path + ".1") == 90);
    CHECK(std::filesystem::file_size(path + ".2") == 90);
    CHECK_FALSE(std::filesystem::exists(path + ".3"));
    CHECK(out.fsync_count() == 0);
    // A buffer larger than the limit is cut at line boundaries.
    std::string many;
    for (int i = 0; i < 7; ++i) many += line;
    REQUIRE(out.write(many).ok());
    CHECK(std::filesystem::file_size(path) == 60);
    CHECK(count_lines(read_text(path + ".1")) == 3);
}

TEST_CASE("file output: a reopened file continues its size, keep_files 0 drops it") {
    TempDir dir;
    const std::string path = dir.path + "/a.ndjson";
    {
        REQUIRE(LocalOutput(file_output(path, 0, 5, FsyncPolicy::Never))
                    .write(std::string(80, 'a') + "\n")
                    .ok());
    }
    LocalOutput out(file_output(path, 100, 0, FsyncPolicy::Never));
    REQUIRE(out.write(std::string(29, 'b') + "\n").ok());
    CHECK(out.rotations() == 1);
    CHECK(read_text(path) == std::string(29, 'b') + "\n");
    CHECK_FALSE(std::filesystem::exists(path + ".1"));
}

TEST_CASE("file output: fsync never, batch, always") {
    TempDir dir;
    const std::string three = "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n";
    LocalOutput never(file_output(dir.path + "/n", 0, 5, FsyncPolicy::Never));
    LocalOutput batch(file_output(dir.path + "/b", 0, 5, FsyncPolicy::Batch));
    LocalOutput always(file_output(dir.path + "/a", 0, 5, FsyncPolicy::Always));
    for (LocalOutput* o : {&never, &batch, &always}) {
        REQUIRE(o->write(three).ok());
        REQUIRE(o->write(three).ok());
    }
    CHECK(never.fsync_count() == 0);
    CHECK(batch.fsync_count() == 2);
    CHECK(always.fsync_count() == 6);
    CHECK(read_text(dir.path + "/a") == three + three);
}

TEST_CASE("file output: a write error is a value naming the output and the file") {
    LocalOutput out(file_output("/dev/full", 0, 5, FsyncPolicy::Never));
    const Status w = out.write("{\"a\":1}\n");
    REQUIRE_FALSE(w.ok());
    CHECK(w.error().message.find("output file (/dev/full)") != std::string::npos);
    CHECK(w.error().message.find("No space left") != std::string::npos);
    CHECK_THROWS_AS(LocalOutput(file_output("/nonexistent/dir/x", 0, 5, FsyncPolicy::Never)),
                    std::runtime_error);
}

TEST_CASE("alert delivery: local outputs get the alert lines their filter takes") {
    TempDir dir;
    OutputSettings all = file_output(dir.path + "/all", 0, 5, FsyncPolicy::Batch);
    OutputSettings high = file_output(dir.path + "/high", 0, 5, FsyncPolicy::Batch);
    high.name = "high";
    high.filter.min_level = Level::High;
    std::vector<std::unique_ptr<LocalOutput>> locals;
    locals.push_back(std::make_unique<LocalOutput>(all));
    locals.push_back(std::make_unique<LocalOutput>(high));
    AlertDelivery delivery(std::move(locals), nullptr);  // no forwarding output: no spool
    REQUIRE(delivery.write(alert_records(3, Level::High) + alert_records(2, Level::Low)));
    CHECK(count_lines(read_text(dir.path + "/all")) == 5);
    const std::string high_text = read_text(dir.path + "/high");
    CHECK(count_lines(high_text) == 3);
    CHECK(high_text.rfind(R"({"uid":"u0","agency":"demo"})", 0) == 0);
    const auto stats = delivery.stats();
    CHECK(stats[1].delivered == 3);
    CHECK(stats[1].filtered == 2);
    // An alert the spool could not store as one record (its text over two lines).
    std::vector<AlertRecord> two_lines = alert_records(1);
    two_lines[0].text = "{}\n{}";
    const Status not_one_line = delivery.write(two_lines);
    REQUIRE_FALSE(not_one_line);
    CHECK(not_one_line.error().message.find("not one line") != std::string::npos);
}

TEST_CASE("alert delivery: the spool first, full or failing refuses the input") {
    TempDir dir;
    auto local = [&] {
        std::vector<std::unique_ptr<LocalOutput>> v;
        v.push_back(
            std::make_unique<LocalOutput>(file_output(dir.path + "/f", 0, 5, FsyncPolicy::Never)));
        return v;
    };
    FixedSpool stored(AppendStatus::Stored);
    AlertDelivery ok(local(), &stored);
    CHECK(ok.write(alert_records(4)));
    CHECK(stored.stored == 4);

    FixedSpool full(AppendStatus::Full);
    AlertDelivery refused(local(), &full);
    const Status spool_full = refused.write(alert_records(2));
    REQUIRE_FALSE(spool_full);
    CHECK(spool_full.error().message.find("alert spool full (1073741824 bytes)") !=
          std::string::npos);
    CHECK(refused.spool_refusals() == 1);
    // Refused before the local outputs: nothing more than the first 4 lines in the file.
    CHECK(count_lines(read_text(dir.path + "/f")) == 4);

    FixedSpool failing(AppendStatus::IoError);
    AlertDelivery io(local(), &failing);
    const Status io_error = io.write(alert_records(1));
    REQUIRE_FALSE(io_error);
    CHECK(io_error.error().message.find("I/O error") != std::string::npos);

    std::vector<std::unique_ptr<LocalOutput>> broken;
    broken.push_back(
        std::make_unique<LocalOutput>(file_output("/dev/full", 0, 5, FsyncPolicy::Never)));
    AlertDelivery disk_full(std::move(broken), &stored);
    const Status local_failed = disk_full.write(alert_records(1));
    REQUIRE_FALSE(local_failed);
    CHECK(local_failed.error().message.find("/dev/full") != std::string::npos);
    CHECK(disk_full.stats()[0].failed_attempts == 1);
}

TEST_CASE("alert delivery: each write returns its own failure, nothing kept for the next") {
    // The workers share one AlertDelivery: a job answered from a failure kept in it could
    // get another job's (a 413 for a job that only met a full spool, or the reverse).
    FixedSpool spool(AppendStatus::Full);
    AlertDelivery delivery({}, &spool);
    const Status full = delivery.write(alert_records(1));
    spool.set(AppendStatus::TooLarge);
    const Status too_large = delivery.write(alert_records(3));
    spool.set(AppendStatus::IoError);
    const Status io_error = delivery.write(alert_records(2));
    REQUIRE_FALSE(full);
    CHECK(full.error().kind == ErrorKind::Failed);
    CHECK(full.error().message.find("alert spool full (1073741824 bytes)") == 0);
    REQUIRE_FALSE(too_large);
    CHECK(too_large.error().kind == ErrorKind::Refused);
    CHECK(too_large.error().message.find("3 alerts (") == 0);
    CHECK(too_large.error().message.find(
              "are more than the whole alert spool holds (spool.max_bytes 1073741824)") !=
          std::string::npos);
    REQUIRE_FALSE(io_error);
    CHECK(io_error.error().kind == ErrorKind::Failed);  // a refusal for good does not stick
    CHECK(io_error.error().message.find("I/O error while storing 2 alerts") != std::string::npos);
    spool.set(AppendStatus::Stored);
    CHECK(delivery.write(alert_records(1)));
    CHECK(delivery.spool_refusals() == 3);
}

TEST_CASE("alert delivery: the spool stores records in the form earlier versions wrote") {
    // A spool left by an older vigie is forwarded after an upgrade: the stored form of a
    // record (routing line, then the alert line) is kept byte for byte.
    FixedSpool spool(AppendStatus::Stored);
    AlertDelivery delivery({}, &spool);
    std::vector<AlertRecord> alerts{
        make_record("u1", "demo", Level::High, "r\t1", "attack.t1059,tlp:amber"),
        make_record("u2", "", Level::Low)};
    REQUIRE(delivery.write(alerts));
    REQUIRE(spool.kept.size() == 2);
    CHECK(spool.kept[0] ==
          "u1\tdemo\thigh\tr 1\tattack.t1059,tlp:amber\n{\"uid\":\"u1\",\"agency\":\"demo\"}");
    CHECK(spool.kept[1] == "u2\t\tlow\trule-1\t\n{\"uid\":\"u2\",\"agency\":\"\"}");
    // What the forwarding loop reads back: the same routing, the TLP from the tags.
    AlertRouting routing;
    std::string_view line;
    REQUIRE(parse_envelope(spool.kept[0], routing, line));
    CHECK(routing.uid == "u1");
    CHECK(routing.rule_id == "r 1");
    CHECK(routing.tlp == AlertTlp::Amber);
    CHECK(line == alerts[0].text);
}

TEST_CASE("alert delivery: a full spool is logged as an error once, then its end once") {
    struct Line {
        LogLevel level;
        std::string message;
    };
    std::vector<Line> lines;
    OutputLog log = [&](LogLevel level, std::string_view, std::string_view message,
                        std::string_view) {
        lines.push_back({level, std::string(message)});
    };
    FixedSpool spool(AppendStatus::Full);
    AlertDelivery delivery({}, &spool, log);
    for (int i = 0; i < 5; ++i) CHECK_FALSE(delivery.write(alert_records(1)));
    REQUIRE(lines.size() == 1);  // the reminders come kFullReminderSeconds apart
    CHECK(lines[0].level == LogLevel::Error);
    CHECK(lines[0].message.find("alert spool full: ingest refused") == 0);
    spool.set(AppendStatus::Stored);
    CHECK(delivery.write(alert_records(1)));
    CHECK(delivery.write(alert_records(1)));
    REQUIRE(lines.size() == 2);
    CHECK(lines[1].level == LogLevel::Info);
    CHECK(lines[1].message.find("has room again") != std::string::npos);
    spool.set(AppendStatus::Full);
    CHECK_FALSE(delivery.write(alert_records(1)));
    CHECK(lines.size() == 3);  // full again: a new episode, logged at once
}
