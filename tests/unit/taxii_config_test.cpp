// SPDX-License-Identifier: EUPL-1.2
// The `taxii:` section of the serve configuration: the sample, defaults, and errors.
#include <doctest/doctest.h>

#include <string>

#include "app/config/config_reader.hpp"
#include "tests/unit/config_errors.hpp"

using namespace vigie;
using vigie::test::config_errors;

namespace {

const std::string kDigest = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8";

}  // namespace

TEST_CASE("taxii config: off by default, AMBER by default") {
    Diagnostics diags;
    auto c = ConfigReader("vigie.yaml", diags).read("");
    REQUIRE(c);
    CHECK_FALSE(c->taxii.enabled);
    CHECK(c->taxii.default_tlp == stix::Tlp::Amber);
}

TEST_CASE("taxii config: a full section") {
    Diagnostics diags;
    auto c = ConfigReader("vigie.yaml", diags).read(R"(
taxii:
  enabled: true
  default_tlp: green
  store: /tmp/t.sqlite
  discovery: {title: CERT, default: api1}
  peers:
    - id: cert-a
      user: alice
      password_sha256: )" + kDigest + R"(
      tlp_amber: true
      collections: [{id: 91A7B528-80EB-42ED-A74D-C6FBD5A26116, read: true, write: true}]
  api_roots: [{path: api1, max_content_length: 1048576}]
  collections:
    - {id: 91a7b528-80eb-42ed-a74d-c6fbd5a26116, title: Indicators, seed: b.json}
)");
    REQUIRE_MESSAGE(c, (diags.empty() ? std::string() : diags[0].format()));
    CHECK(c->taxii.enabled);
    CHECK(c->taxii.default_tlp == stix::Tlp::Green);
    CHECK(c->taxii.collections[0].api_root == "api1");  // the only root
    CHECK(c->taxii.peers[0].collections[0].collection == "91a7b528-80eb-42ed-a74d-c6fbd5a26116");
    CHECK(c->taxii.api_roots[0].max_content_length == 1048576);
}

TEST_CASE("taxii config: mistakes are errors with their place") {
    CHECK(config_errors("taxii:\n  enabeld: true\n")
              .find("vigie.yaml:2:3: unknown setting taxii.enabeld") != std::string::npos);
    CHECK(config_errors("taxii:\n  default_tlp: purple\n").find("taxii.default_tlp must be") !=
          std::string::npos);
    CHECK(config_errors("taxii:\n  api_roots: [{path: v1}]\n").find("is a route of vigie serve") !=
          std::string::npos);
    CHECK(config_errors("taxii:\n  collections: [{id: nope}]\n").find("must be a UUID") !=
          std::string::npos);
    CHECK(config_errors("taxii:\n  peers: [{id: p}]\n").find("needs a credential") !=
          std::string::npos);
    CHECK(
        config_errors("taxii:\n  peers: [{id: p, token_sha256: " + kDigest +
                      ", collections: [{id: 91a7b528-80eb-42ed-a74d-c6fbd5a26116, read: true}]}]\n")
            .find("is not a collection of taxii.collections") != std::string::npos);
    CHECK(config_errors("taxii:\n  peers: [{id: p, token_sha256: " + kDigest +
                        "}, {id: q, token_sha256: " + kDigest + "}]\n")
              .find("another peer's") != std::string::npos);
}
