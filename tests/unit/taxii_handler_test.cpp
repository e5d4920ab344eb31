// SPDX-License-Identifier: EUPL-1.2
// The TAXII handler's endpoints and the status codes the specification gives them.
#include <doctest/doctest.h>

#include "federation/taxii/media_type.hpp"
#include "tests/unit/taxii_test_objects.hpp"

using namespace taxii_test;

TEST_CASE("taxii handler: discovery, API root, collections") {
    Server s;
    const HttpAnswer discovery = s.request("GET", "/taxii2/", "green");
    CHECK(discovery.status == 200);
    CHECK(discovery.content_type == "application/taxii+json;version=2.1");
    CHECK(discovery.body.find(R"("api_roots":["/api1/"])") != std::string::npos);
    const HttpAnswer root = s.request("GET", "/api1/", "green");
    CHECK(root.body.find(R"("max_content_length":4096)") != std::string::npos);
    const HttpAnswer list = s.request("GET", "/api1/collections/", "green");
    CHECK(list.body.find(kCollection) != std::string::npos);
    CHECK(list.body.find(R"("can_read":true,"can_write":false)") != std::string::npos);
    CHECK(s.request("GET", "/api1/collections/" + kCollection + "/", "green").status == 200);
    // No right on it: for this peer the collection does not exist (hardening item 11).
    CHECK(s.request("GET", "/api1/collections/" + kOtherCollection + "/", "green").status == 404);
    CHECK(list.body.find(kOtherCollection) == std::string::npos);
    CHECK(s.handler->owns("/taxii2/"));
    CHECK(s.handler->owns("/api1/collections/"));
    CHECK_FALSE(s.handler->owns("/v1/events"));
}

TEST_CASE("taxii handler: POST answers a status, bad objects fail alone") {
    Server s;
    const std::string body = envelope({indicator(1), R"({"type":"indicator"})", indicator(2)});
    const HttpAnswer posted = s.request("POST", objects_path(), "amber", body);
    CHECK(posted.status == 202);
    CHECK(posted.body.find(R"("status":"complete")") != std::string::npos);
    CHECK(posted.body.find(R"("total_count":3,"success_count":2,"failure_count":1)") !=
          std::string::npos);
    CHECK(s.hooked.size() == 2);
    const size_t at = posted.body.find(R"("id":")");
    const std::string status_id = posted.body.substr(at + 6, 36);
    CHECK(s.request("GET", "/api1/status/" + status_id + "/", "amber").status == 200);
    CHECK(s.request("GET", "/api1/status/" + status_id + "/", "green").status == 404);
    // The same objects again: successes, not duplicates, and nothing new for the hook.
    CHECK(s.request("POST", objects_path(), "amber", body).status == 202);
    CHECK(s.hooked.size() == 2);
    CHECK(count(s.request("GET", objects_path() + "?match[version]=all", "amber").body,
                R"("type":"indicator")") == 2);
}

TEST_CASE("taxii handler: status codes") {
    Server s;
    CHECK(s.request("GET", "/taxii2/", "").status == 401);
    HttpAnswer unauthorized = s.request("GET", "/taxii2/", "wrong");
    CHECK(unauthorized.status == 401);
    REQUIRE(!unauthorized.headers.empty());
    CHECK(unauthorized.headers[0].first == "WWW-Authenticate");
    // Neither right on a collection: 404, as if absent (hardening item 11); one right but
    // not the one asked: 403.
    CHECK(s.request("GET", objects_path(kOtherCollection), "green").status == 404);
    CHECK(s.request("POST", objects_path(), "green", envelope({indicator(1)})).status == 403);
    CHECK(s.request("GET", objects_path(), "none").status == 404);
    CHECK(s.request("GET", "/api2/", "green").status == 404);
    CHECK(s.request("GET", "/api1/collections/00000000-0000-4000-8000-000000000000/", "green")
              .status == 404);
    CHECK(s.request("GET", objects_path() + indicator_id(9) + "/", "green").status == 404);
    CHECK(s.request("POST", objects_path(), "amber", std::string(5000, ' ')).status == 413);
    CHECK(s.request("POST", objects_path(), "amber", envelope({}), "application/json").status ==
          415);
    CHECK(
        s.request("POST", objects_path(), "amber", envelope({}), "application/taxii+json").status ==
        202);
    CHECK(s.request("POST", objects_path(), "amber", R"({"type":"bundle"})").status == 422);
    CHECK(s.request("POST", objects_path(), "amber", R"([1,2])").status == 422);
    CHECK(s.request("POST", objects_path(), "amber", "{not json").status == 400);
    CHECK(s.request("GET", objects_path() + "?limit=0", "green").status == 400);
    CHECK(s.request("GET", objects_path() + "?added_after=yesterday", "green").status == 400);
    CHECK(s.request("PUT", objects_path(), "amber").status == 405);
    HttpRequest r;
    r.method = "GET";
    r.target = "/taxii2/";
    r.authorization = "Bearer green-token";
    r.accept = "application/json";
    CHECK(s.handler->handle(r).status == 406);
    r.accept = "application/taxii+json;version=2.0";
    CHECK(s.handler->handle(r).status == 406);
    r.accept = "application/taxii+json";
    CHECK(s.handler->handle(r).status == 200);
}

TEST_CASE("taxii handler: match filters, added_after and headers") {
    Server s;
    s.request("POST", objects_path(), "amber",
              envelope({indicator(1), indicator(2), indicator(2, "2024-06-01T00:00:00.000Z")}));
    auto body = [&](const std::string& query) {
        return s.request("GET", objects_path() + query, "amber").body;
    };
    CHECK(count(body(""), R"("type":"indicator")") == 2);  // last versions
    CHECK(count(body("?match[version]=all"), R"("type":"indicator")") == 3);
    CHECK(count(body("?match%5Bversion%5D=first"), R"("type":"indicator")") == 2);
    CHECK(count(body("?match[id]=" + indicator_id(2) + "&match[version]=all"),
                R"("type":"indicator")") == 2);
    CHECK(count(body("?match[type]=malware"), R"("type":"indicator")") == 0);
    CHECK(count(body("?match[version]=2024-06-01T00:00:00.000Z"), R"("type":"indicator")") == 1);
    const HttpAnswer all = s.request("GET", objects_path() + "?match[version]=all", "amber");
    std::string first_added;
    for (const auto& [name, value] : all.headers)
        if (name == "X-TAXII-Date-Added-First") first_added = value;
    REQUIRE(!first_added.empty());
    CHECK(count(body("?match[version]=all&added_after=" + first_added), R"("type":"indicator")") ==
          2);
    const HttpAnswer versions =
        s.request("GET", objects_path() + indicator_id(2) + "/versions/", "amber");
    CHECK(versions.body.find(
              R"("versions":["2024-01-01T00:00:00.000000Z","2024-06-01T00:00:00.000000Z"])") !=
          std::string::npos);
    CHECK(s.request("DELETE", objects_path() + indicator_id(2) + "/", "amber").status == 200);
    CHECK(s.request("GET", objects_path() + indicator_id(2) + "/", "amber").status == 404);
}

TEST_CASE("taxii media types") {
    CHECK(accepts_taxii(""));
    CHECK(accepts_taxii("*/*"));
    CHECK(accepts_taxii("application/json, application/taxii+json; version=2.1; q=0.5"));
    CHECK_FALSE(accepts_taxii("application/taxii+json;version=2.1;q=0"));
    CHECK_FALSE(accepts_taxii("application/stix+json;version=2.1"));
    CHECK(is_taxii_media_type("application/taxii+json; version=\"2.1\""));
    CHECK_FALSE(is_taxii_media_type("application/taxii+json;version=2.0"));
}
