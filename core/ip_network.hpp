// SPDX-License-Identifier: EUPL-1.2
#pragma once
// IPv4 and IPv6 addresses and CIDR networks, the one type for every place that reads them:
// the Sigma `cidr` modifier (detector), STIX patterns' ISSUBSET / ISSUPERSET (STIX 2.1
// section 9.5), the indicator segments' prefix tables and MISP's ip attributes.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace vigie {

struct IpAddress {
    std::array<uint8_t, 16> bytes{};  // IPv4 uses the first 4
    bool v6 = false;

    // "192.0.2.1", "2001:db8::1"; nothing for anything else (no port, no brackets).
    static std::optional<IpAddress> parse(std::string_view text);
    // The first `length` bits of the address, the rest zero.
    [[nodiscard]] IpAddress masked(unsigned length) const;
};

struct IpNetwork {
    IpAddress network;    // host bits zero
    unsigned length = 0;  // 0..32 or 0..128

    // "10.0.0.0/8", "2001:db8::/32", or a bare address (a /32 or /128). Host bits set in
    // the text are dropped ("10.1.2.3/8" is 10.0.0.0/8).
    static std::optional<IpNetwork> parse(std::string_view cidr);

    // Whether the address is in this network. An address of the other family is outside.
    [[nodiscard]] bool contains(const IpAddress& address) const;
    // The same for an address in text: anything that is not an address is outside.
    [[nodiscard]] bool contains(std::string_view address) const;
    // Whether every address of `inner` is in this network (same family only).
    [[nodiscard]] bool contains(const IpNetwork& inner) const;
};

}  // namespace vigie
