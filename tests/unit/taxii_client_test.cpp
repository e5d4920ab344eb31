// SPDX-License-Identifier: EUPL-1.2
// The TAXII 2.1 client of the federation: the `federation:` configuration and its errors,
// and polls against a real vigie TAXII handler over loopback HTTP (pagination, position,
// TLP, the caps on bytes and objects, retries), and the publisher.
#include "federation/taxii/taxii_client.hpp"

#include <doctest/doctest.h>

#include <map>
#include <random>
#include <string>

#include "app/config/config_reader.hpp"
#include "federation/taxii/envelope_page.hpp"
#include "federation/taxii/taxii_publisher.hpp"
#include "tests/unit/config_errors.hpp"
#include "tests/unit/loopback_http_server.hpp"
#include "tests/unit/taxii_test_objects.hpp"

using namespace taxii_test;
using vigie::test::config_errors;

namespace {

const std::string kIdentity = "identity--5b1c7a1e-9a43-4a5c-9d1e-0f2a3b4c5d6e";

std::string peer_yaml(const std::string& extra) {
    return "federation:\n  identity: " + kIdentity +
           "\n  name: CERT-B\n  peers:\n    - id: cert-a\n"
           "      url: https://a.example:8443/api1\n"
           "      collection: " +
           kCollection + "\n" + extra;
}

// A client of the test server's collection, as peer `who` ("amber": Basic, else Bearer).
struct Poller {
    FederationPeer peer;
    MemoryPositionStore positions;
    PeerPollCounters counters;
    std::vector<std::string> received;
    bool keep = true;  // what the sink answers
    std::atomic<bool> stop{false};
    std::unique_ptr<TaxiiClient> client;

    Poller(const LoopbackHttpServer& http, const std::string& who, uint32_t page_limit) {
        peer.id = "peer-a";
        peer.url = http.url();
        peer.collection = kCollection;
        peer.page_limit = page_limit;
        peer.max_objects_per_poll = 1000;
        PeerCredentials c;
        if (who == "amber") {
            c.user = "amber-user";
            c.password = "amber-pw";
        } else {
            c.token = who + "-token";
        }
        make(c);
    }
    void make(const PeerCredentials& c) {
        BackoffPolicy fast{3, std::chrono::milliseconds(1), std::chrono::milliseconds(5),
                           std::chrono::milliseconds(50)};
        client = std::make_unique<TaxiiClient>(
            peer, c, positions,
            [this](const std::string&, const std::string&, const std::vector<std::string>& o) {
                if (keep) received.insert(received.end(), o.begin(), o.end());
                return SinkOutcome{0, keep, keep ? "" : "disk full"};
            },
            counters, fast);
    }
    PollReport poll() {
        return client->poll(stop, [](std::chrono::milliseconds) { return true; });
    }
};

// Posted one by one: each object has a date_added of its own, and the test root takes
// 4 KiB at most.
void seed(Server& s, int first, int last, std::optional<stix::Tlp> tlp = stix::Tlp::Green) {
    for (int n = first; n <= last; ++n) {
        const std::string body = envelope({indicator(n, "2024-01-01T00:00:00.000Z", tlp)});
        REQUIRE(s.request("POST", objects_path(), "amber", body).status == 202);
    }
}

}  // namespace

TEST_CASE("federation config: a full section and the defaults") {
    Diagnostics diags;
    auto c =
        ConfigReader("vigie.yaml", diags)
            .read(peer_yaml(
                "      user: cert-b\n      password_file: /run/secrets/a\n      ca_file: ca.pem\n"
                "      cert_file: b.pem\n      key_file: b.key\n      interval_seconds: 5\n"
                "      sightings_collection: 52892447-4D7E-4F70-B94D-D7F22742FF63\n"
                "      tlp_amber: true\n"));
    REQUIRE(c);
    REQUIRE(c->federation.peers.size() == 1);
    const FederationPeer& p = c->federation.peers[0];
    CHECK(c->federation.identity_id == kIdentity);
    CHECK(c->federation.identity_name == "CERT-B");
    CHECK(p.url == "https://a.example:8443/api1/");  // the API root's '/' added
    CHECK(p.interval_seconds == 5);
    CHECK(p.page_limit == 1000);
    CHECK(p.max_page_bytes == 16u << 20);
    CHECK(p.max_objects_per_poll == 100000);
    CHECK(p.sightings_collection == kOtherCollection);
    CHECK(p.tlp_amber);
    auto none = ConfigReader("vigie.yaml", diags).read("");
    REQUIRE(none);
    CHECK(none->federation.peers.empty());
}

TEST_CASE("federation config: errors at their file:line:col") {
    CHECK(config_errors(peer_yaml("      token_file: t\n      colour: blue\n")) ==
          "vigie.yaml:9:7: unknown setting federation.peers[0].colour (known here: id, url, "
          "collection, user, password_file, token_file, ca_file, cert_file, key_file, "
          "interval_seconds, page_limit, max_page_bytes, max_objects_per_poll, "
          "sightings_collection, tlp_amber)\n");
    CHECK(config_errors(peer_yaml("")) ==
          "vigie.yaml:5:7: federation.peers[0] needs a credential: user + password_file, "
          "token_file or cert_file\n");
    CHECK(config_errors(peer_yaml("      user: b\n")) ==
          "vigie.yaml:5:7: federation.peers[0]: user and password_file go together\n");
    CHECK(config_errors(peer_yaml("      token_file: t\n      interval_seconds: 0\n")) ==
          "vigie.yaml:9:25: federation.peers[0].interval_seconds must be a whole number from 1 "
          "to 86400\n");
    CHECK(config_errors(peer_yaml("      token_file: t\n      page_limit: 500\n"
                                  "      max_objects_per_poll: 100\n")) ==
          "vigie.yaml:5:7: federation.peers[0].max_objects_per_poll must be at least "
          "page_limit\n");
    CHECK(config_errors("federation:\n  identity: identity--x\n") ==
          "vigie.yaml:2:13: federation.identity must be identity--<uuid>\n");
    CHECK(config_errors("federation:\n  peers:\n    - {id: a, url: ftp://x/, collection: c, "
                        "token_file: t}\n") ==
          "vigie.yaml:3:7: federation.peers[0].url must be the peer's API root, http:// or "
          "https://\n"
          "vigie.yaml:3:7: federation.peers[0].collection must be a collection id (a UUID)\n"
          "vigie.yaml:2:3: federation.identity is needed with peers (our sightings are "
          "created by it)\n");
    CHECK(config_errors(peer_yaml("      token_file: t\n") + "    - id: cert-a\n" +
                        "      url: http://b/\n      collection: " + kCollection +
                        "\n      token_file: t\n") ==
          "vigie.yaml:9:7: federation.peers[1].id 'cert-a' is used twice\n");
}

TEST_CASE("taxii client: pages with next, the position, nothing downloaded twice") {
    Server s;
    seed(s, 1, 25);
    LoopbackHttpServer http([&s](const HttpRequest& r) { return s.handler->handle(r); });
    Poller p(http, "green", 10);
    PollReport r = p.poll();
    CHECK(r.ok);
    CHECK(r.pages == 3);
    CHECK(r.objects == 25);
    CHECK(p.received.size() == 25);
    CHECK(p.counters.objects_received == 25);
    const auto saved = p.positions.load(position_key("peer-a", kCollection));
    REQUIRE(saved);
    CHECK(*saved == r.position);
    r = p.poll();
    CHECK(r.ok);
    CHECK(r.objects == 0);
    seed(s, 26, 28);
    r = p.poll();
    CHECK(r.objects == 3);
    CHECK(p.received.back().find(indicator_id(28)) != std::string::npos);
    // A new client over the same positions (a restart) starts where the other stopped.
    Poller again(http, "green", 10);
    again.positions = p.positions;
    again.make({"", "", "green-token"});
    CHECK(again.poll().objects == 0);
}

TEST_CASE("taxii client: a peer not cleared for AMBER never receives it") {
    Server s;
    seed(s, 1, 2, stix::Tlp::Green);
    seed(s, 3, 4, stix::Tlp::Amber);
    seed(s, 5, 5, stix::Tlp::Red);
    LoopbackHttpServer http([&s](const HttpRequest& r) { return s.handler->handle(r); });
    Poller green(http, "green", 100);
    CHECK(green.poll().objects == 2);
    Poller amber(http, "amber", 100);
    CHECK(amber.poll().objects == 4);
    for (const auto& o : amber.received) CHECK(o.find(indicator_id(5)) == std::string::npos);
}

TEST_CASE("taxii client: max_objects_per_poll leaves the rest for the next poll") {
    Server s;
    seed(s, 1, 25);
    LoopbackHttpServer http([&s](const HttpRequest& r) { return s.handler->handle(r); });
    Poller p(http, "green", 10);
    p.peer.max_objects_per_poll = 15;
    p.make({"", "", "green-token"});
    PollReport r = p.poll();
    CHECK(r.capped);  // a second page of 10 would make 20
    CHECK(r.objects == 10);
    r = p.poll();  // from where the first stopped: 10 and 5
    CHECK_FALSE(r.capped);
    CHECK(r.objects == 15);
    CHECK(p.poll().objects == 0);
    CHECK(p.received.size() == 25);
    CHECK(p.counters.polls_capped == 1);
}

TEST_CASE("taxii client: a sink that cannot keep a page holds the position") {
    Server s;
    seed(s, 1, 5);
    LoopbackHttpServer http([&s](const HttpRequest& r) { return s.handler->handle(r); });
    Poller p(http, "green", 10);
    p.keep = false;
    PollReport r = p.poll();
    CHECK_FALSE(r.ok);
    CHECK(r.error == "the objects were not kept: disk full");
    CHECK_FALSE(p.positions.load(position_key("peer-a", kCollection)));
    p.keep = true;
    CHECK(p.poll().objects == 5);
}

TEST_CASE("taxii client: hostile pages are refused whole, the position kept") {
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    LoopbackHttpServer http([&](const HttpRequest&) {
        HttpAnswer a = taxii_answer(200, body);
        a.headers = headers;
        return a;
    });
    Poller p(http, "green", 3);
    p.peer.max_page_bytes = 4096;
    p.make({"", "", "green-token"});
    body = "not json {{{";
    PollReport r = p.poll();
    CHECK_FALSE(r.ok);
    CHECK(r.error == "the page is not JSON");
    CHECK(r.page_url == http.url() + "collections/" + kCollection + "/objects/?limit=3");
    body = envelope({indicator(1), indicator(2), indicator(3), indicator(4)});
    CHECK(p.poll().error == "the page holds 4 objects, over the limit asked (3)");
    body = envelope({indicator(1)}) + std::string(8192, ' ');
    r = p.poll();
    CHECK(r.error == "the page is over max_page_bytes (4096 bytes); reading aborted");
    CHECK(p.counters.pages_refused == 3);
    CHECK(p.counters.polls == 3);
    CHECK(p.received.empty());
    // A garbage date header is not a position: nothing saved, and no endless paging.
    body = R"({"more":true,"objects":[)" + indicator(1) + "]}";
    headers = {{"X-TAXII-Date-Added-Last", "yesterday"}};
    r = p.poll();
    CHECK(r.error == "more pages, but neither next nor a date added to go on");
    CHECK(p.received.size() == 1);
    CHECK_FALSE(p.positions.load(position_key("peer-a", kCollection)));
}

TEST_CASE("taxii client: 503 with Retry-After, then the page") {
    Server s;
    seed(s, 1, 2);
    int calls = 0;
    LoopbackHttpServer http([&](const HttpRequest& r) {
        if (calls++ == 0) {
            HttpAnswer busy = taxii_error(503, "busy");
            busy.retry_after_seconds = 1;
            return busy;
        }
        return s.handler->handle(r);
    });
    Poller p(http, "green", 10);
    std::vector<std::chrono::milliseconds> waits;
    PollReport r = p.client->poll(p.stop, [&](std::chrono::milliseconds d) {
        waits.push_back(d);
        return true;
    });
    CHECK(r.ok);
    CHECK(r.objects == 2);
    CHECK(p.counters.retries == 1);
    REQUIRE(waits.size() == 1);
    CHECK(waits[0] == std::chrono::milliseconds(50));  // Retry-After, cut to the policy's cap
}

TEST_CASE("taxii client: full-jitter backoff stays within its bounds") {
    BackoffPolicy policy;
    std::mt19937_64 random(7);
    for (unsigned attempt = 1; attempt < 12; ++attempt) {
        const auto d = backoff_delay(policy, attempt, std::chrono::seconds(0), random);
        CHECK(d.count() >= 0);
        CHECK(d <= std::min(policy.cap, policy.base * (1 << (attempt - 1))));
    }
    CHECK(backoff_delay(policy, 1, std::chrono::seconds(20), random) == std::chrono::seconds(20));
    CHECK(transient_failure(0));
    CHECK(transient_failure(429));
    CHECK(transient_failure(502));
    CHECK_FALSE(transient_failure(404));
}

TEST_CASE("taxii publisher: POSTs what the peer may receive, reads the status") {
    Server s;
    LoopbackHttpServer http([&s](const HttpRequest& r) { return s.handler->handle(r); });
    FederationSettings f;
    FederationPeer peer;
    peer.id = "peer-a";
    peer.url = http.url();
    peer.collection = kCollection;
    peer.sightings_collection = kCollection;
    f.peers.push_back(peer);
    TaxiiPublisher publisher(f, {{"amber-user", "amber-pw", ""}}, stix::Tlp::Amber);
    const PublishResult r = publisher.post_objects(
        "peer-a", "",
        {indicator(1), indicator(2, "2024-01-01T00:00:00.000Z", stix::Tlp::Amber),
         indicator(3, "2024-01-01T00:00:00.000Z", stix::Tlp::Red),
         indicator(4, "2024-01-01T00:00:00.000Z", std::nullopt), "not json"});
    CHECK(r.ok);
    CHECK(r.http_status == 202);
    CHECK(r.sent == 1);  // AMBER (and unmarked, default AMBER) need tlp_amber; RED never
    CHECK(r.withheld == 4);
    CHECK(r.status == "complete");
    CHECK(r.success_count == 1);
    CHECK(s.hooked.size() == 1);
    CHECK(publisher.post_objects("nobody", "", {indicator(1)}).error ==
          "no federation peer 'nobody'");
    const PublishResult red = publisher.post_objects(
        "peer-a", "", {indicator(3, "2024-01-01T00:00:00.000Z", stix::Tlp::Red)});
    CHECK_FALSE(red.ok);
    CHECK(red.error == "nothing to send (every object withheld)");
}
