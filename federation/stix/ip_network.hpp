#pragma once
// IPv4 and IPv6 addresses and CIDR networks, for ISSUBSET / ISSUPERSET (STIX 2.1 section
// 9.5: "10.0.0.0/8", "2001:db8::/32"; a bare address is a network of one).
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace vigie::stix {

struct IpNetwork {
    bool v6 = false;
    std::array<uint8_t, 16> bytes{};  // v4 uses the first 4
    uint32_t prefix = 0;              // 0..32 or 0..128
};

std::optional<IpNetwork> parse_ip_network(std::string_view text);

// Whether every address of `inner` is in `outer` (same family only).
bool network_contains(const IpNetwork& outer, const IpNetwork& inner);

}  // namespace vigie::stix
