// SPDX-License-Identifier: EUPL-1.2
#include "core/ip_network.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace vigie {

namespace {

// Whether the first `length` bits of a and b are the same.
bool same_prefix(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b,
                 unsigned length) {
    const unsigned full = length / 8;
    if (std::memcmp(a.data(), b.data(), full) != 0) return false;
    const unsigned rest = length % 8;
    if (rest == 0) return true;
    const auto mask = static_cast<uint8_t>(0xFF << (8 - rest));
    return (a[full] & mask) == (b[full] & mask);
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
    // inet_pton needs a NUL-terminated string; an address is at most 45 characters.
    char buf[64];
    if (text.empty() || text.size() >= sizeof buf) return std::nullopt;
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    IpAddress address;
    // A valid IPv6 address always has a ':', an IPv4 one never: one inet_pton per value.
    address.v6 = text.find(':') != std::string_view::npos;
    if (inet_pton(address.v6 ? AF_INET6 : AF_INET, buf, address.bytes.data()) != 1)
        return std::nullopt;
    return address;
}

IpAddress IpAddress::masked(unsigned length) const {
    IpAddress out = *this;
    const unsigned bytes = v6 ? 16 : 4;
    for (unsigned i = 0; i < bytes; ++i) {
        const unsigned keep = length >= (i + 1) * 8 ? 8 : (length > i * 8 ? length - i * 8 : 0);
        out.bytes[i] &= static_cast<uint8_t>(keep == 0 ? 0 : 0xFF << (8 - keep));
    }
    return out;
}

std::optional<IpNetwork> IpNetwork::parse(std::string_view cidr) {
    const size_t slash = cidr.find('/');
    auto address = IpAddress::parse(cidr.substr(0, slash));
    if (!address) return std::nullopt;
    const unsigned bits = address->v6 ? 128 : 32;
    unsigned length = bits;
    if (slash != std::string_view::npos) {
        const std::string_view digits = cidr.substr(slash + 1);
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
        if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
            length > bits)
            return std::nullopt;
    }
    return IpNetwork{address->masked(length), length};
}

bool IpNetwork::contains(const IpAddress& address) const {
    return address.v6 == network.v6 && same_prefix(network.bytes, address.bytes, length);
}

bool IpNetwork::contains(std::string_view address) const {
    auto parsed = IpAddress::parse(address);
    return parsed && contains(*parsed);
}

bool IpNetwork::contains(const IpNetwork& inner) const {
    return inner.network.v6 == network.v6 && length <= inner.length &&
           same_prefix(network.bytes, inner.network.bytes, length);
}

}  // namespace vigie
