// SPDX-License-Identifier: EUPL-1.2
// TLP levels and their marking-definition ids, the rule of who may receive what, and
// STIX timestamps.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "federation/stix/timestamp.hpp"
#include "federation/stix/tlp.hpp"

using namespace vigie::stix;

TEST_CASE("TLP levels are read from names, MISP tags and marking-definition ids") {
    CHECK(parse_tlp("TLP:AMBER+STRICT") == Tlp::AmberStrict);
    CHECK(parse_tlp("tlp:white") == Tlp::Clear);
    CHECK(parse_tlp("Green") == Tlp::Green);
    CHECK_FALSE(parse_tlp("tlp:ex:chr"));
    CHECK_FALSE(parse_tlp("TLP:"));
    CHECK(tlp_of_marking("marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed") == Tlp::Red);
    CHECK(tlp_of_marking("marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1") == Tlp::Red);
    CHECK(tlp_of_marking(tlp_marking_id(Tlp::Amber)) == Tlp::Amber);
    CHECK_FALSE(tlp_of_marking("marking-definition--00000000-0000-4000-8000-000000000000"));
    std::vector<std::string> refs{"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
                                  "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
                                  "marking-definition--0a1b2c3d-0000-4000-8000-000000000000"};
    CHECK(strictest_tlp(refs) == Tlp::AmberStrict);
    CHECK_FALSE(strictest_tlp(std::vector<std::string>{}));
}

TEST_CASE("TLP decides which peers an object may reach") {
    const PeerClearance anonymous{};
    const PeerClearance peer{.authenticated = true, .amber = false};
    const PeerClearance amber_peer{.authenticated = true, .amber = true};
    for (Tlp level : {Tlp::Clear, Tlp::Green, Tlp::Amber, Tlp::AmberStrict, Tlp::Red}) {
        CAPTURE(tlp_name(level));
        CHECK_FALSE(tlp_may_leave(level, anonymous));
    }
    CHECK(tlp_may_leave(Tlp::Clear, peer));
    CHECK(tlp_may_leave(Tlp::Green, peer));
    CHECK_FALSE(tlp_may_leave(Tlp::Amber, peer));
    CHECK(tlp_may_leave(Tlp::Amber, amber_peer));
    CHECK_FALSE(tlp_may_leave(Tlp::AmberStrict, amber_peer));
    CHECK_FALSE(tlp_may_leave(Tlp::Red, amber_peer));
}

TEST_CASE("STIX timestamps are strict RFC 3339 UTC and round-trip") {
    CHECK(parse_timestamp("1970-01-01T00:00:00Z") == 0);
    CHECK(parse_timestamp("2016-05-12T08:17:27.000Z") == int64_t{1463041047} * 1000000);
    CHECK(parse_timestamp("2016-05-12T08:17:27.123456789Z") ==
          int64_t{1463041047} * 1000000 + 123456);
    CHECK(parse_timestamp("2024-02-29T00:00:00Z"));
    CHECK_FALSE(parse_timestamp("2023-02-29T00:00:00Z"));
    CHECK_FALSE(parse_timestamp("2016-05-12T08:17:27"));
    CHECK_FALSE(parse_timestamp("2016-05-12T08:17:27+02:00"));
    CHECK_FALSE(parse_timestamp("2016-05-12 08:17:27Z"));
    CHECK_FALSE(parse_timestamp("2016-05-12T08:17:27.Z"));
    CHECK_FALSE(parse_timestamp("2016-13-12T08:17:27Z"));
    const int64_t t = *parse_timestamp("2026-12-02T01:02:03.456789Z");
    CHECK(format_timestamp(t) == "2026-12-02T01:02:03.456Z");
    CHECK(format_timestamp(t, true) == "2026-12-02T01:02:03.456789Z");
    CHECK(parse_timestamp(format_timestamp(t, true)) == t);
    CHECK(format_timestamp(-1, true) == "1969-12-31T23:59:59.999999Z");
}
