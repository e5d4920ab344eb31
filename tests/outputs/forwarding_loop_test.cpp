// SPDX-License-Identifier: EUPL-1.2
// Forwarding loops over the real spool (spool/): the NATS hub killed and restarted while
// the loop runs (every alert arrives, none twice), the webhook's retries with backoff,
// filtered records committed, a stop that abandons the attempt without committing, the
// drain at shutdown, and the AlertOutputs factory end to end. No assertion on elapsed time:
// the timings are measured by bench/timings/forwarding_timings.sh.
#include <doctest/doctest.h>

#include <filesystem>
#include <future>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "delivery/outputs/alert_outputs.hpp"
#include "delivery/outputs/nats_forwarder.hpp"
#include "delivery/outputs/webhook_forwarder.hpp"
#include "tests/outputs/hub_client.hpp"
#include "tests/outputs/output_test_support.hpp"

using namespace vigie;
using namespace vigie::test;

namespace {

SpoolSettings spool_in(const TempDir& dir) {
    SpoolSettings s;
    s.directory = dir.path + "/spool";
    s.max_bytes = 64ULL << 20;
    s.segment_bytes = 1ULL << 20;
    s.fsync_interval_ms = 2;
    return s;
}

void append(AlertSpool& spool, const AlertBatch& batch) {
    std::vector<std::string_view> views(batch.records.begin(), batch.records.end());
    REQUIRE(spool.append(views) == AppendStatus::Stored);
}

OutputSettings nats_output(const HubServer& hub) {
    OutputSettings o;
    o.name = "hub";
    o.type = OutputType::Nats;
    o.nats.servers = {hub.url()};
    o.nats.batch = 50;
    o.nats.ack_timeout_ms = 1000;
    return o;
}

}  // namespace

TEST_CASE("loop: the hub killed and restarted mid-way, every alert once in the stream") {
    TempDir dir;
    HubServer hub;
    HubClient client(hub.url());
    REQUIRE(client.create_stream());
    const OutputSettings output = nats_output(hub);
    auto spool = AlertSpool::open(spool_in(dir), {"hub"});
    ForwardingLoop loop(output, std::make_unique<NatsForwarder>("hub", output.nats), *spool,
                        RetryPolicy{std::chrono::milliseconds(50), std::chrono::milliseconds(500)});
    loop.start();
    constexpr size_t kChunks = 60, kPerChunk = 50, kTotal = kChunks * kPerChunk;
    // The producer keeps appending while the hub goes down and comes back.
    std::thread producer([&] {
        for (size_t c = 0; c < kChunks; ++c) {
            append(*spool, make_alerts("c" + std::to_string(c), kPerChunk));
            // Pacing, not synchronisation: spreads the appends over the outage.
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    });
    REQUIRE(eventually([&] { return client.stream_messages() >= kTotal / 5; }, 20));
    hub.stop();
    // The hub comes back once the loop has seen it gone (a failed attempt), not after a
    // guessed delay.
    REQUIRE(eventually([&] { return loop.stats().failed_attempts > 0; }, 30));
    hub.start();
    producer.join();
    // Until the loop has committed every batch: the stream can hold the last one before
    // its acknowledgements reach the loop, and a stop then would abandon the attempt.
    const bool all = eventually(
        [&] { return client.stream_messages() >= kTotal && loop.stats().delivered >= kTotal; }, 60);
    loop.stop();
    CHECK(all);
    const auto stored = client.all();
    std::set<std::string> uids;
    for (const StoredAlert& a : stored) uids.insert(a.uid);
    CHECK(stored.size() == kTotal);
    CHECK(uids.size() == kTotal);
    const OutputStats stats = loop.stats();
    CHECK(stats.delivered == kTotal);
    CHECK(stats.failed_attempts > 0);
    CHECK(stats.retries > 0);
    CHECK_FALSE(stats.last_error.empty());
    MESSAGE("hub restart: failed attempts " << stats.failed_attempts << ", retries "
                                            << stats.retries
                                            << ", last error: " << stats.last_error);
}

TEST_CASE("loop: records the filter refuses are skipped and committed") {
    TempDir dir;
    HubServer hub;
    HubClient client(hub.url());
    REQUIRE(client.create_stream());
    OutputSettings output = nats_output(hub);
    output.filter.min_level = Level::High;
    auto spool = AlertSpool::open(spool_in(dir), {"hub"});
    append(*spool, make_alerts("low", 30, "demo", Level::Low));
    append(*spool, make_alerts("high", 20, "demo", Level::Critical));
    ForwardingLoop loop(output, std::make_unique<NatsForwarder>("hub", output.nats), *spool,
                        RetryPolicy{});
    loop.start();
    REQUIRE(eventually([&] { return loop.stats().delivered + loop.stats().filtered == 50; }, 20));
    loop.stop();
    CHECK(loop.stats().filtered == 30);
    CHECK(client.stream_messages() == 20);
    CHECK(spool->read("hub", 100, std::chrono::milliseconds(0)).records.empty());
}

namespace {

// tests/outputs/webhook_receiver.py on a free port, following `plan`.
struct WebhookReceiver {
    TempDir dir;
    std::string log = dir.path + "/requests.ndjson";
    std::unique_ptr<ChildProcess> process;
    std::string url;
    explicit WebhookReceiver(const std::string& plan) {
        const std::string port_file = dir.path + "/port";
        process = std::make_unique<ChildProcess>(std::vector<std::string>{
            // VIGIE_SOURCE_DIR "/tests/..." joins two literals into one path on purpose.
            // NOLINTNEXTLINE(bugprone-suspicious-missing-comma)
            "python3", VIGIE_SOURCE_DIR "/tests/outputs/webhook_receiver.py", "--port-file",
            port_file, "--log", log, "--secret", "s3cret", "--plan", plan});
        REQUIRE(eventually([&] { return std::filesystem::exists(port_file); }, 15));
        url = "http://127.0.0.1:" + read_text(port_file) + "/alerts";
    }
    size_t count(const std::string& part) const {
        const std::string text = read_text(log);
        size_t n = 0;
        for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1))
            ++n;
        return n;
    }
};

// A webhook output named soc to `url`, signing with the secret s3cret.
OutputSettings webhook_to(const std::string& url) {
    ::setenv("VIGIE_TEST_LOOP_SECRET", "s3cret", 1);
    OutputSettings o;
    o.name = "soc";
    o.type = OutputType::Webhook;
    o.webhook.url = url;
    o.webhook.secret_env = "VIGIE_TEST_LOOP_SECRET";
    return o;
}

OutputSettings webhook_output(const WebhookReceiver& receiver) {
    OutputSettings o = webhook_to(receiver.url);
    o.webhook.batch = 4;
    o.webhook.timeout_ms = 10000;
    o.webhook.retry_initial_ms = 100;
    o.webhook.retry_max_ms = 400;
    return o;
}

}  // namespace

TEST_CASE("loop: webhook failures retried with backoff until delivered, then committed") {
    TempDir dir;
    WebhookReceiver receiver("503,drop,500");
    const OutputSettings output = webhook_output(receiver);
    auto spool = AlertSpool::open(spool_in(dir), {"soc"});
    append(*spool, make_alerts("w", 10));
    ForwardingLoop loop(output, make_forwarder(output), *spool, retry_policy(output));
    loop.start();
    REQUIRE(eventually([&] { return loop.stats().delivered == 10; }, 30));
    loop.stop();
    const OutputStats stats = loop.stats();
    CHECK(stats.failed_attempts == 3);  // 503, dropped connection, 500
    CHECK(stats.retries == 3);
    CHECK(stats.ok);
    CHECK(receiver.count(R"("answer": "200")") == 3);  // batches of 4, 4, 2
    CHECK(receiver.count(R"("signature_ok": true)") == 6);
    for (int i = 0; i < 10; ++i) CHECK(receiver.count("\"w-" + std::to_string(i) + "\"") >= 1);
    CHECK(spool->read("soc", 100, std::chrono::milliseconds(0)).records.empty());
}

TEST_CASE("serve 3: the backoff doubles from retry_initial_ms up to retry_max_ms, full jitter") {
    const RetryPolicy policy{std::chrono::milliseconds(100), std::chrono::milliseconds(1000)};
    std::mt19937_64 random(42);
    // The ceiling of each failure count: the largest delay seen over many draws reaches it
    // (within 2 %) and never passes it; the smallest is near 0 (full jitter).
    const std::pair<uint32_t, int64_t> ceilings[] = {{1, 100},  {2, 200},   {3, 400},  {4, 800},
                                                     {5, 1000}, {12, 1000}, {40, 1000}};
    for (const auto& [failures, ceiling] : ceilings) {
        int64_t low = ceiling, high = 0;
        for (int i = 0; i < 2000; ++i) {
            const int64_t d = backoff_delay(policy, failures, random).count();
            low = std::min(low, d);
            high = std::max(high, d);
        }
        // CAPTURE names its argument in a lambda, and clang 14 lets no lambda capture a
        // structured binding (C++20's P1091 not yet there): a copy it can.
        const uint32_t failure_count = failures;
        CAPTURE(failure_count);
        CHECK(high <= ceiling);
        CHECK(high >= ceiling * 98 / 100);
        CHECK(low <= ceiling / 50);
    }
    CHECK(backoff_delay(RetryPolicy{std::chrono::milliseconds(1), std::chrono::milliseconds(1)}, 0,
                        random)
              .count() <= 1);
}

TEST_CASE("loop: stop abandons a hanging delivery promptly, without committing") {
    TempDir dir;
    WebhookReceiver receiver("hang");
    OutputSettings output = webhook_output(receiver);
    output.webhook.timeout_ms = 120000;
    auto spool = AlertSpool::open(spool_in(dir), {"soc"});
    append(*spool, make_alerts("h", 3));
    ForwardingLoop loop(output, make_forwarder(output), *spool, retry_policy(output));
    loop.start();
    REQUIRE(eventually([&] { return receiver.count(R"("answer": "hang")") == 1; }, 15));
    // The receiver holds the request 60 s and the forwarder's timeout is longer: only the
    // interrupt can end stop() within the 30 s this waits for it.
    auto stopped = std::async(std::launch::async, [&] { loop.stop(); });
    CHECK(stopped.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
    stopped.wait();
    CHECK(loop.stats().delivered == 0);
    CHECK(spool->read("soc", 100, std::chrono::milliseconds(0)).records.size() == 3);
}

TEST_CASE("alert outputs: local file and NATS hub from the settings, end to end") {
    TempDir dir;
    HubServer hub;
    HubClient client(hub.url());
    REQUIRE(client.create_stream());
    OutputSettings file;
    file.name = "file";
    file.type = OutputType::File;
    file.file.path = dir.path + "/alerts.ndjson";
    std::vector<OutputSettings> settings{file, nats_output(hub)};
    AlertOutputs outputs(settings, spool_in(dir));
    REQUIRE(outputs.spool() != nullptr);
    outputs.start();
    REQUIRE(outputs.delivery().write(make_records("e", 25)));
    // Delivered once the loop has the acknowledgements (the stream may show them earlier).
    REQUIRE(eventually([&] { return outputs.stats()[1].delivered == 25; }, 20));
    outputs.stop();
    CHECK(client.stream_messages() == 25);
    const auto stats = outputs.stats();
    REQUIRE(stats.size() == 2);
    CHECK(stats[0].delivered == 25);
    CHECK(stats[1].delivered == 25);
    CHECK(stats[1].connected);
    std::istringstream lines(read_text(file.file.path));
    size_t n = 0;
    for (std::string line; std::getline(lines, line);) ++n;
    CHECK(n == 25);
    CHECK_THROWS_AS(AlertOutputs({file, file}, spool_in(dir)), std::runtime_error);
}

namespace {

// A webhook output to a loopback port nothing listens on: every attempt fails.
OutputSettings unreachable_webhook() {
    OutputSettings o =
        webhook_to("http://127.0.0.1:" + std::to_string(free_loopback_port()) + "/alerts");
    o.webhook.retry_initial_ms = 50;
    o.webhook.retry_max_ms = 200;
    return o;
}

}  // namespace

TEST_CASE("serve 2: drain delivers what the spool holds, through retries, then the loop ends") {
    TempDir dir;
    WebhookReceiver receiver("503,drop");
    const OutputSettings output = webhook_output(receiver);
    auto spool = AlertSpool::open(spool_in(dir), {"soc"});
    append(*spool, make_alerts("d", 10));
    ForwardingLoop loop(output, make_forwarder(output), *spool, retry_policy(output));
    loop.start();
    loop.drain();
    // Ends by itself once nothing is pending: the deadline is only a bound on the wait.
    CHECK(loop.wait_drained(std::chrono::steady_clock::now() + std::chrono::seconds(60)));
    CHECK(loop.stats().delivered == 10);
    CHECK(loop.stats().retries == 2);
    CHECK(spool->read("soc", 100, std::chrono::milliseconds(0)).records.empty());
    CHECK(spool->cursor_stats().at(0).pending_records == 0);
    loop.stop();
}

TEST_CASE("serve 2: a drain that cannot deliver ends at its deadline, the alerts stay spooled") {
    TempDir dir;
    const OutputSettings output = unreachable_webhook();
    {
        auto spool = AlertSpool::open(spool_in(dir), {"soc"});
        append(*spool, make_alerts("u", 5));
        ForwardingLoop loop(output, make_forwarder(output), *spool, retry_policy(output));
        loop.start();
        REQUIRE(eventually([&] { return loop.stats().failed_attempts > 0; }, 30));
        loop.drain();
        CHECK_FALSE(loop.wait_drained(std::chrono::steady_clock::now()));
        loop.stop();
        CHECK(loop.stats().delivered == 0);
    }
    // Durable: a restart on the spool finds every one of them.
    auto spool = AlertSpool::open(spool_in(dir), {"soc"});
    CHECK(spool->read("soc", 100, std::chrono::milliseconds(0)).records.size() == 5);
}

TEST_CASE("serve 2: AlertOutputs::stop logs, per output, what stays in the spool") {
    TempDir dir;
    struct Line {
        LogLevel level;
        std::string output, message, detail;
    };
    std::vector<Line> lines;
    std::mutex lines_mutex;
    const OutputLog log = [&](LogLevel level, std::string_view output, std::string_view message,
                              std::string_view detail) {
        const std::lock_guard lock(lines_mutex);
        lines.push_back({level, std::string(output), std::string(message), std::string(detail)});
    };
    SpoolSettings spool = spool_in(dir);
    spool.drain_seconds = 0;  // no grace: what is spooled at stop() stays there
    AlertOutputs outputs({unreachable_webhook()}, spool, log);
    outputs.start();
    REQUIRE(outputs.delivery().write(make_records("s", 7)));
    outputs.stop();
    outputs.stop();  // idempotent: logged once
    size_t left = 0;
    for (const Line& l : lines) {
        if (l.message != "stopping: alerts not forwarded stay in the spool for the next start")
            continue;
        ++left;
        CHECK(l.level == LogLevel::Warning);
        CHECK(l.output == "soc");
        CHECK(l.detail.starts_with("7 alerts ("));
    }
    CHECK(left == 1);
}
