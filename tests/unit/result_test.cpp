// SPDX-License-Identifier: EUPL-1.2
#include "core/result.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <string>

using namespace vigie;

namespace {

Result<int> parse_port(const std::string& text) {
    if (text.empty() || text.size() > 5 ||
        text.find_first_not_of("0123456789") != std::string::npos)
        return Error{"a port is a number from 1 to 65535, not '" + text + "'",
                     {"vigie.yaml", 3, 11}};
    const int port = std::stoi(text);
    if (port < 1 || port > 65535) return Error{"port " + text + " is out of range"};
    return port;
}

}  // namespace

TEST_CASE("Result: a value or a located error") {
    const Result<int> good = parse_port("8080");
    REQUIRE(good.ok());
    CHECK(*good == 8080);

    const Result<int> bad = parse_port("80a");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().format() == "vigie.yaml:3:11: a port is a number from 1 to 65535, not '80a'");

    const Result<int> range = parse_port("70000");
    REQUIRE_FALSE(range.ok());
    CHECK(range.error().format() == "port 70000 is out of range");  // no place: none said
}

TEST_CASE("Result: move-only values and Status") {
    Result<std::unique_ptr<int>> owned = std::make_unique<int>(7);
    REQUIRE(owned.ok());
    std::unique_ptr<int> taken = std::move(owned).value();
    CHECK(*taken == 7);

    const Status done;
    CHECK(done.ok());
    const Status failed = Error{"the spool directory is not writable"};
    REQUIRE_FALSE(failed);
    CHECK(failed.error().message == "the spool directory is not writable");
}

TEST_CASE("Error: its kind says whether the same input may succeed later") {
    // Existing initialisations leave the kind out: Failed, the one that may be retried.
    const Error plain{"alert spool full", {"spool", 1, 0}};
    CHECK(plain.kind == ErrorKind::Failed);
    CHECK(plain.format() == "spool:1: alert spool full");

    const Status refused = Error{"more than the whole spool holds", {}, ErrorKind::Refused};
    REQUIRE_FALSE(refused);
    CHECK(refused.error().kind == ErrorKind::Refused);
    CHECK(refused.error().format() == "more than the whole spool holds");  // the kind is no word
    // Passed on to a caller's Result unchanged.
    const Result<int> carried = refused.error();
    CHECK(carried.error().kind == ErrorKind::Refused);
}
