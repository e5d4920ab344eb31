#include "federation/stix/ip_network.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <string>

namespace vigie::stix {

std::optional<IpNetwork> parse_ip_network(std::string_view text) {
    std::string_view address = text;
    std::optional<uint32_t> prefix;
    if (auto slash = text.find('/'); slash != std::string_view::npos) {
        address = text.substr(0, slash);
        std::string_view digits = text.substr(slash + 1);
        uint32_t value = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size())
            return std::nullopt;
        prefix = value;
    }
    if (address.size() > 45) return std::nullopt;  // INET6_ADDRSTRLEN
    std::string copy(address);
    IpNetwork net;
    net.v6 = copy.find(':') != std::string::npos;
    if (inet_pton(net.v6 ? AF_INET6 : AF_INET, copy.c_str(), net.bytes.data()) != 1)
        return std::nullopt;
    uint32_t bits = net.v6 ? 128 : 32;
    net.prefix = prefix.value_or(bits);
    if (net.prefix > bits) return std::nullopt;
    return net;
}

bool network_contains(const IpNetwork& outer, const IpNetwork& inner) {
    if (outer.v6 != inner.v6 || outer.prefix > inner.prefix) return false;
    uint32_t full = outer.prefix / 8;
    for (uint32_t i = 0; i < full; ++i)
        if (outer.bytes[i] != inner.bytes[i]) return false;
    uint32_t rest = outer.prefix % 8;
    if (rest == 0) return true;
    auto mask = static_cast<uint8_t>(0xFF << (8 - rest));
    return (outer.bytes[full] & mask) == (inner.bytes[full] & mask);
}

}  // namespace vigie::stix
