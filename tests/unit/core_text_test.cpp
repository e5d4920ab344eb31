// SPDX-License-Identifier: EUPL-1.2
// core/text.hpp, core/identifiers.hpp, core/clock.hpp: the small helpers every layer shares.
#include <doctest/doctest.h>

#include "core/clock.hpp"
#include "core/identifiers.hpp"
#include "core/text.hpp"

using namespace vigie;

TEST_CASE("text: ASCII lower case, comparisons without case, blanks trimmed") {
    CHECK(ascii_lower("Bearer ABC-xyz_09") == "bearer abc-xyz_09");
    CHECK(ascii_lower("\xC3\x89t\xC3\xA9") == "\xC3\x89t\xC3\xA9");  // bytes past ASCII kept
    CHECK(equals_ascii_nocase("Content-Type", "content-type"));
    CHECK_FALSE(equals_ascii_nocase("gzip", "gzip "));
    CHECK(starts_with_ascii_nocase("BEARER token", "bearer "));
    CHECK_FALSE(starts_with_ascii_nocase("bear", "bearer "));
    CHECK(trim_blanks(" \t application/json \t") == "application/json");
    CHECK(trim_blanks(" \t ").empty());
}

TEST_CASE("identifiers: name tokens and UUID text") {
    CHECK(is_name_token("agency-1_A"));
    CHECK(is_name_token(std::string(64, 'a')));
    CHECK_FALSE(is_name_token(std::string(65, 'a')));
    for (const char* bad : {"", "a.b", "a b", "a*", "a>", "a/b", "\xC3\xA9"})
        CHECK_MESSAGE(!is_name_token(bad), bad);
    CHECK(is_uuid_text("6ba7b810-9dad-11d1-80b4-00c04fd430c8"));
    CHECK(is_uuid_text("6BA7B810-9DAD-11D1-80B4-00C04FD430C8"));
    CHECK(is_uuid_text("6ba7b810-9dad-11d1-80b4-00c04fd430c8", HexCase::Lower));
    CHECK_FALSE(is_uuid_text("6BA7B810-9DAD-11D1-80B4-00C04FD430C8", HexCase::Lower));
    CHECK_FALSE(is_uuid_text("6ba7b8109dad11d180b400c04fd430c8"));
    CHECK_FALSE(is_uuid_text("{6ba7b810-9dad-11d1-80b4-00c04fd430c}"));
    CHECK_FALSE(is_uuid_text("6ba7b810-9dad-11d1-80b4-00c04fd430cg"));
}

TEST_CASE("clock: the units agree") {
    const int64_t s = unix_now_s();
    const int64_t ms = unix_now_ms();
    const int64_t us = unix_now_us();
    CHECK(s > 1'700'000'000);
    CHECK(ms / 1000 >= s);
    CHECK(us / 1000 >= ms);
    CHECK(ms / 1000 - s <= 1);
}
