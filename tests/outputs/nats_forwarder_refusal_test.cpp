// SPDX-License-Identifier: EUPL-1.2
// Issue 18 item 5: an alert whose subject the hub refuses to vigie's user (publish
// permissions) must not block the others. A real nats-server with users: the forwarder's
// user may publish alerts.demo, not alerts.other; the refused alert goes to the output's
// dead-letter file (counted), every alert of agency demo reaches the hub's stream.
#include <doctest/doctest.h>

#include <chrono>
#include <set>
#include <sstream>

#include "delivery/outputs/dead_letter_file.hpp"
#include "delivery/outputs/forwarding_loop.hpp"
#include "delivery/outputs/nats_forwarder.hpp"
#include "tests/outputs/hub_client.hpp"
#include "tests/outputs/nats_processes.hpp"

using namespace vigie;
using namespace vigie::test;

namespace {

// The forwarder's user publishes its agencies' alerts, here demo's only, and reads its
// acknowledgements on its own inbox prefix; admin creates and reads the stream. The same
// hub as item05_refused_alert_serve_test.sh's.
const std::string kHubConfig = read_text(VIGIE_SOURCE_DIR "/tests/outputs/permissions_hub.conf");

struct PermissionsHub {
    NatsProcess server{free_loopback_port(), kHubConfig};
    std::unique_ptr<HubClient> admin;
    PermissionsHub() {
        server.start();
        admin = std::make_unique<HubClient>(server.url(), "admin", "admin-pw");
        REQUIRE(admin->create_stream(1));
    }
    [[nodiscard]] NatsOutputSettings output() const {
        NatsOutputSettings s;
        s.servers = {"nats://forwarder:forwarder-pw@127.0.0.1:" + std::to_string(server.port())};
        s.inbox_prefix = "_INBOX_fwd";
        s.batch = 50;
        s.ack_timeout_ms = 5000;
        return s;
    }
};

AlertBatch concat(const AlertBatch& a, const AlertBatch& b) {
    AlertBatch out;
    out.records = a.records;
    out.records.insert(out.records.end(), b.records.begin(), b.records.end());
    parse_records(out);
    return out;
}

size_t lines_of(const std::string& text) {
    std::istringstream in(text);
    size_t n = 0;
    for (std::string line; std::getline(in, line);) ++n;
    return n;
}

}  // namespace

TEST_CASE("nats item 5: the server error naming a refused subject") {
    CHECK(nats_denied_publish_subject(R"(Permissions Violation for Publish to "alerts.other")") ==
          "alerts.other");
    CHECK(nats_denied_publish_subject("permissions violation for publish to alerts.x") == "");
    CHECK(nats_denied_publish_subject(R"(Permissions Violation for Subscription to "_INBOX.>")") ==
          "");
    CHECK(nats_denied_publish_subject(R"(Permissions Violation for Publish with Reply of "x")") ==
          "");
    CHECK(nats_denied_publish_subject("Authorization Violation") == "");
}

TEST_CASE(
    "nats item 5: a batch holding an alert the hub refuses is refused for good at once and "
    "the permitted alerts are delivered") {
    PermissionsHub hub;
    NatsForwarder forwarder("hub", hub.output());
    REQUIRE(eventually([&] { return forwarder.connected(); }, 10));
    const AlertBatch mixed = concat(make_alerts("m", 10, "demo"), make_alerts("x", 1, "other"));
    const auto start = std::chrono::steady_clock::now();
    const DeliveryResult r = forwarder.deliver(mixed.alerts);
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK_FALSE(r.delivered);
    CHECK(r.refused);
    CHECK(r.error.find(R"(Permissions Violation for Publish to "alerts.other")") !=
          std::string::npos);
    CHECK(r.error.find("nats://forwarder:***@127.0.0.1:") != std::string::npos);
    CHECK(r.error.find("forwarder-pw") == std::string::npos);  // no password in logs
    MESSAGE("refused in " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                          << " ms (acknowledgement timeout 5000 ms): " << r.error);
    // The permitted ones were acknowledged meanwhile; alone, the refused one is refused again.
    CHECK(hub.admin->stream_messages() == 10);
    const DeliveryResult alone =
        forwarder.deliver(std::span<const ForwardedAlert>(mixed.alerts).last(1));
    CHECK(alone.refused);
    const DeliveryResult demo = forwarder.deliver(make_alerts("d", 5, "demo").alerts);
    CHECK_MESSAGE(demo.delivered, demo.error);
    CHECK(hub.admin->stream_messages() == 15);
}

// A forwarding loop over a real spool holding these batches, run until `delivered` alerts
// are acknowledged and `dead` dead-lettered (or 60 s).
struct LoopRun {
    OutputStats stats;
    std::string dead_letters;  // the dead-letter file
    std::vector<std::string> hub_uids;
    double seconds = 0;
};

LoopRun run_loop(PermissionsHub& hub, const std::vector<AlertBatch>& batches, uint64_t delivered,
                 uint64_t dead) {
    TempDir dir;
    SpoolSettings spool_settings;
    spool_settings.directory = dir.path + "/spool";
    spool_settings.segment_bytes = 1ULL << 20;
    auto spool = AlertSpool::open(spool_settings, {"hub"});
    for (const AlertBatch& batch : batches) {
        std::vector<std::string_view> views(batch.records.begin(), batch.records.end());
        REQUIRE(spool->append(views) == AppendStatus::Stored);
    }
    OutputSettings output;
    output.name = "hub";
    output.type = OutputType::Nats;
    output.nats = hub.output();
    ForwardingLoop loop(output, std::make_unique<NatsForwarder>("hub", output.nats), *spool,
                        RetryPolicy{std::chrono::milliseconds(50), std::chrono::milliseconds(500)},
                        {},
                        std::make_unique<DeadLetterFile>(spool_settings.directory, "hub", 1 << 20));
    const auto start = std::chrono::steady_clock::now();
    loop.start();
    const bool done = eventually(
        [&] { return loop.stats().delivered == delivered && loop.stats().dead_lettered == dead; },
        60);
    LoopRun run;
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    loop.stop();
    CHECK(done);
    run.stats = loop.stats();
    run.dead_letters = read_text(spool_settings.directory + "/dead-letters/hub.jsonl");
    run.hub_uids = hub.admin->stream_uids();
    return run;
}

TEST_CASE(
    "nats item 5: one refused alert is dead-lettered and counted and every other alert of "
    "agency demo reaches the hub") {
    PermissionsHub hub;
    const LoopRun run =
        run_loop(hub,
                 {make_alerts("before", 120, "demo"), make_alerts("refused", 1, "other"),
                  make_alerts("after", 120, "demo")},
                 240, 1);
    CHECK(run.stats.delivered == 240);
    CHECK(run.stats.dead_lettered == 1);
    CHECK(lines_of(run.dead_letters) == 1);
    CHECK(run.dead_letters.find(R"("uid":"refused-0")") != std::string::npos);
    CHECK(run.dead_letters.find(R"(Permissions Violation for Publish to \"alerts.other\")") !=
          std::string::npos);
    const std::set<std::string> distinct(run.hub_uids.begin(), run.hub_uids.end());
    CHECK(run.hub_uids.size() == 240);
    CHECK(distinct.size() == 240);
    CHECK(distinct.count("before-0") == 1);
    CHECK(distinct.count("after-119") == 1);
    CHECK(distinct.count("refused-0") == 0);
    MESSAGE("240 alerts of demo delivered, 1 of other dead-lettered; failed attempts "
            << run.stats.failed_attempts << ", retries " << run.stats.retries);
}

// libnats 3.4 reports a refusal's text as the connection's last error, which the next
// refusal can overwrite before it is read: one batch refused on two subjects still ends
// with each refused alert dead-lettered (the loop's one-by-one resend names each alone).
TEST_CASE("nats item 5: alerts of two refused agencies in one batch are each dead-lettered") {
    PermissionsHub hub;
    const LoopRun run = run_loop(hub,
                                 {make_alerts("a", 10, "demo"), make_alerts("o", 3, "other"),
                                  make_alerts("t", 3, "third"), make_alerts("b", 10, "demo")},
                                 20, 6);
    CHECK(run.stats.delivered == 20);
    CHECK(run.stats.dead_lettered == 6);
    CHECK(lines_of(run.dead_letters) == 6);
    for (const char* uid : {"o-0", "o-2", "t-0", "t-2"})
        CHECK(run.dead_letters.find(std::string(R"("uid":")") + uid + '"') != std::string::npos);
    CHECK(run.hub_uids.size() == 20);
    MESSAGE("6 alerts of two refused agencies dead-lettered, 20 of demo delivered, in "
            << run.seconds << " s; failed attempts " << run.stats.failed_attempts);
}

// The hub refusing the inbox (no acknowledgement can come back) refuses no alert: every
// attempt fails, retried, and the failure says what the hub said.
TEST_CASE("nats item 5: an inbox the hub user may not read is a failure and not a refusal") {
    PermissionsHub hub;
    NatsOutputSettings settings = hub.output();
    settings.inbox_prefix.clear();  // _INBOX: not allowed to this user
    settings.ack_timeout_ms = 1000;
    NatsForwarder forwarder("hub", settings);
    REQUIRE(eventually([&] { return forwarder.connected(); }, 10));
    const DeliveryResult r = forwarder.deliver(make_alerts("i", 3, "demo").alerts);
    CHECK_FALSE(r.delivered);
    CHECK_FALSE(r.refused);
    CHECK(r.retryable);
    CHECK(r.error.find("Permissions Violation for Subscription") != std::string::npos);
    MESSAGE(r.error);
}
