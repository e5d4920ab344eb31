// SPDX-License-Identifier: EUPL-1.2
// Hardening item 3: one oversized alert must not stall a forwarding output. Alerts have a
// size bound (the event and the matched values cut and marked, with their original sizes),
// and an alert an upstream refuses for good goes to the output's dead-letter file, with the
// reason, counted, while forwarding goes on with the next. The process-level test is
// tests/hardening/item03_oversized_alert.sh (a real nats-server hub and webhook receiver).
#include <doctest/doctest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "delivery/outputs/dead_letter_file.hpp"
#include "delivery/outputs/forwarding_loop.hpp"
#include "delivery/spool/alert_spool.hpp"
#include "pipeline/alerts/alert_envelope.hpp"
#include "pipeline/alerts/alert_format.hpp"

using namespace vigie;

namespace {

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "vigie-out-XXXXXX").string();
        path = ::mkdtemp(tmpl.data());
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

bool valid_json(std::string_view text) {
    simdjson::dom::parser parser;
    return parser.parse(simdjson::padded_string(text)).error() == simdjson::SUCCESS;
}

std::string read_all(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

Rule test_rule() {
    Rule rule;
    rule.id = "r-1";
    rule.title = "Long command line";
    rule.level = Level::High;
    rule.status = "test";
    return rule;
}

// A 600 KB event whose matched value is the 600 KB command line: 1.2 MB of alert.
std::string big_event(std::string& value) {
    value = "cmd.exe /c " + std::string(600000, 'A') + " \"q\" \xc3\xa9";
    std::string event = R"({"CommandLine":")";
    for (char c : value) {
        if (c == '"') event += '\\';
        event += c;
    }
    return event + R"(","Computer":"ws1"})";
}

}  // namespace

TEST_CASE("hardening 3: an alert over max_alert_bytes is cut, marked with the original sizes") {
    const Rule rule = test_rule();
    std::string value;
    const std::string event = big_event(value);
    const MatchedField matched[] = {{"selection", "CommandLine", value}};
    Alert alert{rule, "http", 0, 1, event};
    alert.matched = matched;
    alert.uid = "0123456789abcdef0123456789abcdef";
    JsonlAlertFormat format;
    CHECK(format.max_bytes() == kDefaultMaxAlertBytes);
    std::string out;
    format.append(alert, out);
    CHECK(out.size() <= kDefaultMaxAlertBytes);
    CHECK(out.size() > kDefaultMaxAlertBytes - 64);  // the excerpt fills what is left
    CHECK(out.back() == '\n');
    CHECK(valid_json(out));
    CHECK(out.find(R"("event":)") == std::string::npos);
    CHECK(out.find(R"("event_truncated":{"original_bytes":)" + std::to_string(event.size())) !=
          std::string::npos);
    CHECK(out.find(R"("excerpt":"{\"CommandLine\":\"cmd.exe /c AAAA)") != std::string::npos);
    CHECK(out.find(R"("value_original_bytes":)" + std::to_string(value.size())) !=
          std::string::npos);
    CHECK(out.find(R"("uid":"0123456789abcdef0123456789abcdef")") != std::string::npos);

    // Under the bound, nothing changes.
    format.set_max_bytes(4ULL << 20);
    std::string whole;
    format.append(alert, whole);
    CHECK(whole.size() > 1200000);
    CHECK(whole.find(R"("event":{"CommandLine")") != std::string::npos);
    CHECK(whole.find("event_truncated") == std::string::npos);

    // OCSF: the mark under unmapped, no evidences.
    OcsfAlertFormat ocsf("test");
    std::string o;
    ocsf.append(alert, o);
    CHECK(o.size() <= kDefaultMaxAlertBytes);
    CHECK(valid_json(o));
    CHECK(o.find(R"("evidences")") == std::string::npos);
    CHECK(o.find(R"("event_truncated":{"original_bytes":)") != std::string::npos);
}

TEST_CASE("hardening 3: a cut never splits an escape or a UTF-8 sequence") {
    const std::string literal = R"("a\"\u0001)"
                                "\xc3\xa9"
                                R"(b")";
    CHECK(json_string_cut(literal, 0) == 1);
    CHECK(json_string_cut(literal, 1) == 2);    // a
    CHECK(json_string_cut(literal, 2) == 2);    // not half of \"
    CHECK(json_string_cut(literal, 3) == 4);    // a\"
    CHECK(json_string_cut(literal, 8) == 4);    // not part of \u0001
    CHECK(json_string_cut(literal, 9) == 10);   // a\"\u0001
    CHECK(json_string_cut(literal, 10) == 10);  // not half of é
    CHECK(json_string_cut(literal, 11) == 12);
    CHECK(json_string_cut(literal, 100) == literal.size() - 1);
}

namespace {

// An upstream that refuses for good any batch holding an alert longer than 100 bytes, as a
// webhook answering 413 does, and records what it accepted.
class RefusingForwarder final : public AlertForwarder {
  public:
    explicit RefusingForwarder(std::vector<std::string>& accepted, std::mutex& mutex)
        : accepted_(accepted), mutex_(mutex) {}
    DeliveryResult deliver(std::span<const ForwardedAlert> alerts) override {
        for (const ForwardedAlert& a : alerts)
            if (a.line.size() > 100)
                return DeliveryResult::refused_for_good("test: HTTP 413: too large");
        std::lock_guard lock(mutex_);
        for (const ForwardedAlert& a : alerts) accepted_.emplace_back(a.routing.uid);
        return DeliveryResult::ok();
    }
    void interrupt() override {}
    [[nodiscard]] size_t max_batch() const override { return 10; }
    [[nodiscard]] bool connected() const override { return true; }

  private:
    std::vector<std::string>& accepted_;
    std::mutex& mutex_;
};

std::vector<std::string> records_with_one_oversized() {
    std::vector<std::string> records;
    for (int i = 0; i < 5; ++i) {
        const std::string uid = "uid-" + std::to_string(i);
        const std::string line =
            R"({"uid":")" + uid + R"(","pad":")" + std::string(i == 2 ? 500 : 1, 'x') + R"("})";
        std::string envelope;
        append_envelope({uid, "demo", "r-1", "", Level::High}, line, envelope);
        envelope.pop_back();  // the spool holds "routing\nalert"
        records.push_back(envelope);
    }
    return records;
}

bool eventually(const std::function<bool()>& done) {
    for (int i = 0; i < 1000 && !done(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));  // poll interval
    return done();
}

// The spool of output "hook" holding records_with_one_oversized() (uid-2 is refused for
// good), and a loop forwarding them to a RefusingForwarder, with a dead-letter file of
// `dead_letter_bytes` at the most. Not started.
struct RefusedAlertLoop {
    TempDir dir;
    SpoolSettings spool_settings;
    std::unique_ptr<AlertSpool> spool;
    std::vector<std::string> accepted;
    std::mutex mutex;
    OutputSettings output;
    std::unique_ptr<ForwardingLoop> loop;

    explicit RefusedAlertLoop(uint64_t dead_letter_bytes) {
        spool_settings.directory = (dir.path / "spool").string();
        spool = AlertSpool::open(spool_settings, {"hook"});
        const auto records = records_with_one_oversized();
        std::vector<std::string_view> views(records.begin(), records.end());
        REQUIRE(spool->append(views) == AppendStatus::Stored);
        output.name = "hook";
        output.type = OutputType::Webhook;
        loop = std::make_unique<ForwardingLoop>(
            output, std::make_unique<RefusingForwarder>(accepted, mutex), *spool,
            RetryPolicy{std::chrono::milliseconds(1), std::chrono::milliseconds(5)}, OutputLog{},
            std::make_unique<DeadLetterFile>(spool_settings.directory, "hook", dead_letter_bytes));
    }
};

}  // namespace

TEST_CASE("hardening 3: an alert refused for good is dead-lettered, and forwarding goes on") {
    RefusedAlertLoop run(1 << 20);
    ForwardingLoop& loop = *run.loop;
    loop.start();
    REQUIRE(eventually([&] { return loop.stats().delivered == 4; }));
    loop.stop();
    {
        std::lock_guard lock(run.mutex);
        CHECK(run.accepted == std::vector<std::string>{"uid-0", "uid-1", "uid-3", "uid-4"});
    }
    const OutputStats stats = loop.stats();
    CHECK(stats.dead_lettered == 1);
    const std::string dead = read_all(run.dir.path / "spool" / "dead-letters" / "hook.jsonl");
    CHECK(std::count(dead.begin(), dead.end(), '\n') == 1);
    CHECK(valid_json(dead));
    CHECK(dead.find(R"("output":"hook","uid":"uid-2","reason":"test: HTTP 413: too large")") !=
          std::string::npos);
    CHECK(dead.find(R"("alert":{"uid":"uid-2","pad":"xxxx)") != std::string::npos);
    CHECK(run.spool->cursor_stats().front().pending_records == 0);
}

TEST_CASE("hardening 3: a full dead-letter file holds the output back, nothing is dropped") {
    RefusedAlertLoop run(100);
    ForwardingLoop& loop = *run.loop;
    loop.start();
    REQUIRE(eventually([&] { return loop.stats().failed_attempts >= 3; }));
    loop.stop();
    const OutputStats stats = loop.stats();
    CHECK(stats.dead_lettered == 0);
    CHECK(stats.last_error.find("HTTP 413") != std::string::npos);
    CHECK(run.spool->cursor_stats().front().pending_records == 5);  // not committed
}
