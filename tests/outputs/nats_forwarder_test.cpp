// SPDX-License-Identifier: EUPL-1.2
// The NATS forwarder against a real nats-server with JetStream (loopback, free port):
// subjects per agency, Nats-Msg-Id dedup by the hub stream, start-up with the hub down.
#include "delivery/outputs/nats_forwarder.hpp"

#include <doctest/doctest.h>

#include <set>
#include <thread>

#include "tests/outputs/hub_client.hpp"
#include "tests/outputs/output_test_support.hpp"

using namespace vigie;
using namespace vigie::test;

namespace {

NatsOutputSettings settings_for(const HubServer& hub) {
    NatsOutputSettings s;
    s.servers = {hub.url()};
    s.batch = 64;
    s.ack_timeout_ms = 2000;
    return s;
}

}  // namespace

TEST_CASE("nats: subjects per agency, an alert without agency goes to <prefix>.unknown") {
    CHECK(nats_alert_subject("alerts", "chu-lyon") == "alerts.chu-lyon");
    CHECK(nats_alert_subject("alerts", "") == "alerts.unknown");
    CHECK(nats_alert_subject("hub.alerts", "a.b *>") == "hub.alerts.a_b___");
}

TEST_CASE("nats: alerts published with their uid, the same uid twice is one stream message") {
    HubServer hub;
    HubClient client(hub.url());
    REQUIRE(client.create_stream());
    NatsForwarder forwarder("hub", settings_for(hub));
    REQUIRE(eventually([&] { return forwarder.connected(); }, 10));
    AlertBatch batch = make_alerts("n", 100, "demo");
    batch.records.push_back(alert_record("n-x", "", Level::Low));
    parse_records(batch);
    DeliveryResult r = forwarder.deliver(batch.alerts);
    REQUIRE_MESSAGE(r.delivered, r.error);
    r = forwarder.deliver(std::span<const ForwardedAlert>(batch.alerts).first(10));
    REQUIRE_MESSAGE(r.delivered, r.error);
    CHECK(client.stream_messages() == 101);
    const auto stored = client.all();
    REQUIRE(stored.size() == 101);
    CHECK(stored[0].subject == "alerts.demo");
    CHECK(stored[0].uid == "n-0");
    CHECK(stored[0].data == std::string(batch.alerts[0].line));
    CHECK(stored[100].subject == "alerts.unknown");
}

TEST_CASE("nats: starts with the hub down, delivers once it is up") {
    HubServer hub;
    hub.stop();
    NatsForwarder forwarder("hub", settings_for(hub));  // must not throw
    CHECK_FALSE(forwarder.connected());
    AlertBatch batch = make_alerts("d", 5);
    const DeliveryResult down = forwarder.deliver(batch.alerts);
    CHECK_FALSE(down.delivered);
    CHECK(down.retryable);
    CHECK(down.error.find("hub: " + hub.url()) != std::string::npos);
    hub.start();
    HubClient client(hub.url());
    REQUIRE(client.create_stream());
    REQUIRE(eventually([&] { return forwarder.connected(); }, 15));
    const DeliveryResult up = forwarder.deliver(batch.alerts);
    CHECK_MESSAGE(up.delivered, up.error);
    CHECK(client.stream_messages() == 5);
}

TEST_CASE("nats: a subject no stream listens on is a failure, not a delivery") {
    HubServer hub;
    NatsOutputSettings s = settings_for(hub);
    s.ack_timeout_ms = 1000;
    NatsForwarder forwarder("hub", s);
    REQUIRE(eventually([&] { return forwarder.connected(); }, 10));
    AlertBatch batch = make_alerts("z", 3);
    const DeliveryResult r = forwarder.deliver(batch.alerts);  // no HUB stream
    CHECK_FALSE(r.delivered);
    CHECK(r.retryable);
    CHECK_FALSE(r.refused);  // "no responders" is transient (a leader election), never a refusal
    CHECK_FALSE(r.error.empty());
}
