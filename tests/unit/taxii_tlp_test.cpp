// SPDX-License-Identifier: EUPL-1.2
// TLP on the TAXII server: every TLP level against every kind of peer, on every way an
// object can go out (list, object by id, versions, manifest), and pages that count only
// what the peer may see.
#include <doctest/doctest.h>

#include "tests/unit/taxii_test_objects.hpp"

using namespace taxii_test;

namespace {

struct Expectation {
    std::optional<stix::Tlp> marking;  // nullopt: unmarked (the default, AMBER)
    bool green_peer_sees;              // an authenticated peer not cleared for AMBER
    bool amber_peer_sees;              // a peer with tlp_amber: true
};

const Expectation kTable[] = {
    {stix::Tlp::Clear, true, true},  {stix::Tlp::Green, true, true},
    {stix::Tlp::Amber, false, true}, {stix::Tlp::AmberStrict, false, false},
    {stix::Tlp::Red, false, false},  {std::nullopt, false, true},
};

bool sees_everywhere(Server& s, const std::string& peer, int n, bool expected) {
    const std::string id = indicator_id(n);
    const std::string base = objects_path();
    const bool in_list = s.request("GET", base, peer).body.find(id) != std::string::npos;
    const HttpAnswer by_id = s.request("GET", base + id + "/", peer);
    const HttpAnswer versions = s.request("GET", base + id + "/versions/", peer);
    const bool in_manifest =
        s.request("GET", "/api1/collections/" + kCollection + "/manifest/", peer).body.find(id) !=
        std::string::npos;
    CHECK(in_list == expected);
    CHECK(in_manifest == expected);
    CHECK(by_id.status == (expected ? 200U : 404U));
    CHECK(versions.status == (expected ? 200U : 404U));
    return in_list == expected && in_manifest == expected;
}

}  // namespace

TEST_CASE("taxii TLP: each level against each kind of peer") {
    Server s;
    std::vector<std::string> objects;
    objects.reserve(6);
    for (int i = 0; i < 6; ++i)
        objects.push_back(indicator(i, "2024-01-01T00:00:00.000Z", kTable[i].marking));
    REQUIRE(s.request("POST", objects_path(), "amber", envelope(objects)).status == 202);
    for (int i = 0; i < 6; ++i) {
        CAPTURE(i);
        CHECK(sees_everywhere(s, "green", i, kTable[i].green_peer_sees));
        CHECK(sees_everywhere(s, "amber", i, kTable[i].amber_peer_sees));
    }
    // No credentials: nothing at all.
    CHECK(s.request("GET", objects_path(), "").status == 401);
}

TEST_CASE("taxii TLP: the default level applies to unmarked objects") {
    TaxiiSettings settings = taxii_test::settings();
    settings.default_tlp = stix::Tlp::Green;
    Server s(settings);
    s.request("POST", objects_path(), "amber",
              envelope({indicator(1, "2024-01-01T00:00:00.000Z", std::nullopt)}));
    CHECK(s.request("GET", objects_path() + indicator_id(1) + "/", "green").status == 200);
}

TEST_CASE("taxii TLP: pages and 'more' count only what the peer may see") {
    TaxiiSettings settings = taxii_test::settings();
    settings.api_roots[0].max_content_length = 1 << 20;
    Server s(settings);
    std::vector<std::string> objects;
    objects.reserve(20);
    // GREEN, RED, GREEN, RED, ...: the green peer's pages hold GREEN objects only.
    for (int i = 0; i < 20; ++i)
        objects.push_back(indicator(i, "2024-01-01T00:00:00.000Z",
                                    i % 2 == 0 ? stix::Tlp::Green : stix::Tlp::Red));
    REQUIRE(s.request("POST", objects_path(), "amber", envelope(objects)).status == 202);
    const HttpAnswer first = s.request("GET", objects_path() + "?limit=5", "green");
    CHECK(count(first.body, R"("type":"indicator")") == 5);
    CHECK(first.body.find(R"("more":true)") != std::string::npos);
    const size_t at = first.body.find(R"("next":")");
    REQUIRE(at != std::string::npos);
    const std::string next = first.body.substr(at + 8, first.body.find('"', at + 8) - at - 8);
    const HttpAnswer second = s.request("GET", objects_path() + "?limit=5&next=" + next, "green");
    CHECK(count(second.body, R"("type":"indicator")") == 5);
    CHECK(second.body.find(R"("more":false)") != std::string::npos);
    CHECK(second.body.find("\"next\"") == std::string::npos);
    CHECK(count(first.body + second.body, stix::tlp_marking_id(stix::Tlp::Red).data()) == 0);
}

TEST_CASE("taxii TLP: a withheld latest version leaves the visible one as 'last'") {
    Server s;
    s.request("POST", objects_path(), "amber",
              envelope({indicator(1, "2024-01-01T00:00:00.000Z", stix::Tlp::Green),
                        indicator(1, "2024-05-01T00:00:00.000Z", stix::Tlp::Red)}));
    const HttpAnswer green = s.request("GET", objects_path() + indicator_id(1) + "/", "green");
    CHECK(green.body.find("2024-01-01T00:00:00.000Z\",\"pattern") != std::string::npos);
    CHECK(green.body.find("2024-05-01") == std::string::npos);
    const HttpAnswer versions =
        s.request("GET", objects_path() + indicator_id(1) + "/versions/", "amber");
    CHECK(versions.body.find("2024-05-01") == std::string::npos);  // RED: not even for amber
    // Deleting what the peer cannot see answers as if it did not exist.
    CHECK(s.request("DELETE",
                    objects_path() + indicator_id(1) + "/?match[version]=2024-05-01T00:00:00.000Z",
                    "amber")
              .status == 404);
}
