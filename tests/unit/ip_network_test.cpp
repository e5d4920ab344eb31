// SPDX-License-Identifier: EUPL-1.2
// core/ip_network.hpp, the one IP network type of the detector's cidr modifier, STIX
// patterns' ISSUBSET / ISSUPERSET and the indicator segments' prefix tables.
#include "core/ip_network.hpp"

#include <doctest/doctest.h>

using vigie::IpAddress;
using vigie::IpNetwork;

TEST_CASE("ip network: parsing, host bits dropped, bad text refused") {
    auto net = IpNetwork::parse("10.1.2.3/8");
    REQUIRE(net);
    CHECK(net->length == 8);
    CHECK_FALSE(net->network.v6);
    CHECK(net->network.bytes[0] == 10);
    CHECK(net->network.bytes[1] == 0);
    auto bare = IpNetwork::parse("2001:db8::1");
    REQUIRE(bare);
    CHECK(bare->network.v6);
    CHECK(bare->length == 128);
    for (const char* bad : {"", "10.0.0.0/", "10.0.0.0/33", "2001:db8::/129", "10.0.0.0/+8",
                            "10.0.0.0/8x", "10.0.0", "host", "[::1]", "10.0.0.1:80"})
        CHECK_MESSAGE(!IpNetwork::parse(bad), bad);
}

TEST_CASE("ip network: addresses and networks inside, same family only") {
    auto net = IpNetwork::parse("192.168.0.0/20");
    REQUIRE(net);
    CHECK(net->contains(std::string_view("192.168.15.255")));
    CHECK_FALSE(net->contains(std::string_view("192.168.16.0")));
    CHECK_FALSE(net->contains(std::string_view("::ffff:192.168.1.1")));
    CHECK_FALSE(net->contains(std::string_view("not an address")));
    CHECK(net->contains(*IpNetwork::parse("192.168.4.0/24")));
    CHECK_FALSE(net->contains(*IpNetwork::parse("192.168.0.0/16")));  // wider
    CHECK(IpNetwork::parse("0.0.0.0/0")->contains(*IpNetwork::parse("1.2.3.4")));
    CHECK_FALSE(IpNetwork::parse("::/0")->contains(*IpNetwork::parse("1.2.3.4")));
    auto address = IpAddress::parse("2001:db8::ff");
    REQUIRE(address);
    CHECK(IpNetwork::parse("2001:db8::/120")->contains(*address));
    CHECK(address->masked(120).bytes[15] == 0);
}
