// SPDX-License-Identifier: EUPL-1.2
// Hardening items 4, 5, 11 and 15a (issue 17), on the parts: granular markings
// (stix/tlp_granular), revocations through the collection store, the TAXII 2.1 conformance
// points, and one batch holding several versions of an indicator.
#include <doctest/doctest.h>

#include "federation/indicators/indicator_catalog.hpp"
#include "federation/stix/bundle_reader.hpp"
#include "federation/stix/tlp_granular.hpp"
#include "tests/unit/taxii_test_objects.hpp"

using namespace taxii_test;

namespace {

const std::string kRed(stix::tlp_marking_id(stix::Tlp::Red));
const std::string kAmber(stix::tlp_marking_id(stix::Tlp::Amber));
const stix::PeerClearance kGreenPeer{true, false};
const stix::PeerClearance kAmberPeer{true, true};

// A GREEN indicator with `extra` properties before its closing brace.
std::string marked(const std::string& extra, int n = 1) {
    std::string o = indicator(n);
    o.pop_back();
    return o + extra + "}";
}

std::string granular(const std::string& marking, const std::string& selectors) {
    return R"(,"granular_markings":[{"marking_ref":")" + marking + R"(","selectors":[)" +
           selectors + "]}]";
}

}  // namespace

TEST_CASE("hardening 4: a property marked RED is removed for a GREEN peer, the rest is shared") {
    const std::string o = marked(R"(,"description":"secret","labels":["amber-label"])" +
                                 std::string(R"(,"granular_markings":[{"marking_ref":")") + kRed +
                                 R"(","selectors":["description"]},{"marking_ref":")" + kAmber +
                                 R"(","selectors":["labels"]}])");
    const stix::Disclosure green = stix::disclose(o, stix::Tlp::Amber, kGreenPeer);
    REQUIRE_FALSE(green.withheld);
    CHECK(green.json.find("secret") == std::string::npos);
    CHECK(green.json.find("amber-label") == std::string::npos);
    CHECK(green.json.find("granular_markings") == std::string::npos);
    CHECK(green.json.find(R"("pattern":)") != std::string::npos);
    const stix::Disclosure amber = stix::disclose(o, stix::Tlp::Amber, kAmberPeer);
    REQUIRE_FALSE(amber.withheld);
    CHECK(amber.json.find("secret") == std::string::npos);
    CHECK(amber.json.find("amber-label") != std::string::npos);
    CHECK(amber.json.find(R"("selectors":["labels"])") != std::string::npos);
    CHECK(amber.json.find(R"("selectors":["description"])") == std::string::npos);
}

TEST_CASE(
    "hardening 4: a required property marked RED withholds the object, and so does a bad "
    "selector") {
    CHECK(stix::disclose(marked(granular(kRed, R"("pattern")")), stix::Tlp::Amber, kGreenPeer)
              .withheld);
    const stix::Disclosure dangling =
        stix::disclose(marked(granular(kRed, R"("description")")), stix::Tlp::Amber, kAmberPeer);
    CHECK(dangling.withheld);
    CHECK(dangling.reason.find("does not resolve") != std::string::npos);
    CHECK(stix::disclose(marked(granular(kRed, R"("labels.[x]")")), stix::Tlp::Amber, kAmberPeer)
              .withheld);
    CHECK(stix::disclose(marked(R"(,"granular_markings":"red")"), stix::Tlp::Amber, kAmberPeer)
              .withheld);
    const stix::MarkingSummary s =
        stix::summarize_markings(marked(granular(kRed, R"("pattern")")), stix::Tlp::Amber);
    CHECK(s.object == stix::Tlp::Green);
    CHECK(s.required == stix::Tlp::Red);
}

TEST_CASE("hardening 4: more selectors than max_granular_selectors withhold the object") {
    std::string labels = R"(,"labels":[)";
    std::string selectors;
    for (int i = 0; i < 1001; ++i) {
        labels += (i > 0 ? ",\"l\"" : "\"l\"");
        selectors += (i > 0 ? "," : "") + std::string("\"labels.[") + std::to_string(i) + "]\"";
    }
    const stix::Disclosure d = stix::disclose(marked(labels + "]" + granular(kRed, selectors)),
                                              stix::Tlp::Amber, kAmberPeer);
    CHECK(d.withheld);
    CHECK(d.reason.find("more than 1000 selectors") != std::string::npos);
}

TEST_CASE(
    "hardening 4: a selector through a list removes its whole property, nested keys only "
    "themselves") {
    const std::string o = marked(
        R"(,"kill_chain_phases":[{"kill_chain_name":"k","phase_name":"secret"}],)"
        R"("external_references":[{"source_name":"s"}],"extensions":{"x":{"a":"secret","b":"kept"}})" +
        std::string(R"(,"granular_markings":[{"marking_ref":")") + kRed +
        R"(","selectors":["kill_chain_phases.[0].phase_name","extensions.x.a"]}])");
    const stix::Disclosure d = stix::disclose(o, stix::Tlp::Amber, kGreenPeer);
    REQUIRE_FALSE(d.withheld);
    CHECK(d.json.find("kill_chain_phases") == std::string::npos);
    CHECK(d.json.find("secret") == std::string::npos);
    CHECK(d.json.find(R"("extensions":{"x":{"b":"kept"}})") != std::string::npos);
    CHECK(d.json.find("external_references") != std::string::npos);
}

TEST_CASE("hardening 4: TAXII answers redact, the store keeps the object's real level") {
    Server s;
    const std::string o = marked(R"(,"description":"secret")" + granular(kRed, R"("description")"));
    const std::string hidden = marked(granular(kRed, R"("pattern")"), 2);
    CHECK(s.request("POST", objects_path(), "amber", envelope({o, hidden})).status == 202);
    const HttpAnswer list = s.request("GET", objects_path(), "green");
    CHECK(list.body.find(indicator_id(1)) != std::string::npos);
    CHECK(list.body.find("secret") == std::string::npos);
    CHECK(list.body.find(indicator_id(2)) == std::string::npos);
    CHECK(s.request("GET", objects_path() + indicator_id(2) + "/", "amber").status == 404);
    CHECK(s.request("GET", objects_path() + indicator_id(1) + "/", "green").body.find("secret") ==
          std::string::npos);
}

TEST_CASE(
    "hardening 5: a peer that saw a version learns of its withheld revocation, nothing else") {
    Server s;
    std::string v2 = indicator(1, "2024-02-01T00:00:00.000Z", stix::Tlp::Red);
    v2.pop_back();
    v2 += R"(,"revoked":true,"description":"red secret"})";
    CHECK(s.request("POST", objects_path(), "amber", envelope({indicator(1), v2})).status == 202);
    const HttpAnswer last = s.request("GET", objects_path(), "green");
    CHECK(last.body.find(R"("revoked":true)") != std::string::npos);
    CHECK(last.body.find(R"("modified":"2024-02-01T00:00:00.000000Z")") != std::string::npos);
    CHECK(last.body.find("red secret") == std::string::npos);
    CHECK(last.body.find(stix::tlp_marking_id(stix::Tlp::Red)) == std::string::npos);
    const HttpAnswer versions =
        s.request("GET", objects_path() + indicator_id(1) + "/versions/", "green");
    CHECK(versions.body.find("2024-02-01T00:00:00.000000Z") != std::string::npos);
    // A peer that never saw a version learns nothing: the RED-only object stays absent.
    std::string red_only = indicator(3, "2024-02-01T00:00:00.000Z", stix::Tlp::Red);
    red_only.pop_back();
    CHECK(s.request("POST", objects_path(), "amber", envelope({red_only + R"(,"revoked":true})"}))
              .status == 202);
    CHECK(s.request("GET", objects_path() + indicator_id(3) + "/", "green").status == 404);
    // DELETE removes only versions the peer is cleared for, never the withheld revoking one.
    CHECK(s.request("DELETE", objects_path() + indicator_id(1) + "/", "amber").status == 200);
    CHECK(s.request("GET", objects_path() + indicator_id(1) + "/", "amber").status == 404);
}

TEST_CASE("hardening 11: DELETE needs read and write, status entries carry a version") {
    TaxiiSettings settings = taxii_test::settings();
    settings.peers.push_back(
        {"writer", "", "", sha256_hex("writer-token"), "", false, {{kCollection, false, true}}});
    Server s(settings);
    const HttpAnswer posted =
        s.request("POST", objects_path(), "amber", envelope({indicator(1), R"({"type":"x"})"}));
    CHECK(posted.body.find(R"("version":"2024-01-01T00:00:00.000000Z")") != std::string::npos);
    CHECK(count(posted.body, R"("version":")") == 2);
    const std::string one = objects_path() + indicator_id(1) + "/";
    CHECK(s.request("DELETE", one, "writer").status == 403);
    CHECK(s.request("DELETE", objects_path() + indicator_id(9) + "/", "writer").status == 403);
    CHECK(s.request("DELETE", one, "green").status == 403);
    CHECK(s.request("DELETE", one, "none").status == 404);
    CHECK(s.request("GET", one, "green").status == 200);
    CHECK(s.request("DELETE", one, "amber").status == 200);
}

TEST_CASE("hardening 11: match[version] an object lacks is an empty envelope, Token is Bearer") {
    Server s;
    CHECK(s.request("POST", objects_path(), "amber", envelope({indicator(1)})).status == 202);
    const HttpAnswer none = s.request(
        "GET", objects_path() + indicator_id(1) + "/?match[version]=2030-01-01T00:00:00Z", "green");
    CHECK(none.status == 200);
    CHECK(none.body == R"({"more":false})");
    CHECK(s.request("GET", objects_path() + indicator_id(9) + "/", "green").status == 404);
    HttpRequest r;
    r.method = "GET";
    r.target = "/taxii2/";
    r.accept = "application/taxii+json;version=2.1";
    r.authorization = "Token green-token";
    CHECK(s.handler->handle(r).status == 200);
    CHECK(s.handler->owns("/api9/"));
    const HttpAnswer unknown = s.request("GET", "/api9/", "");
    CHECK(unknown.status == 401);
    CHECK(unknown.content_type == "application/taxii+json;version=2.1");
    CHECK_FALSE(s.handler->owns("/healthz"));
}

TEST_CASE(
    "hardening 15a: of several versions of an indicator in one batch, only the newest matches") {
    auto opened = IndicatorStore::open(":memory:", 100);
    REQUIRE(opened.ok());
    auto& store = *opened;
    IndicatorCatalog catalog(*store);
    std::string v2 = indicator(1, "2024-02-01T00:00:00.000Z");
    stix::BundleOptions options;
    const stix::BundleContent content =
        stix::read_bundle(envelope({indicator(1), v2, indicator(2)}), options);
    REQUIRE(content.indicators.size() == 3);
    const Result<ApplyReport> report = catalog.apply(content.indicators, unix_now_us());
    REQUIRE(report.ok());
    CHECK(report->added == 2);
    CHECK(report->updated == 1);
    CHECK(catalog.counts().matched_per_event == 2);
}
