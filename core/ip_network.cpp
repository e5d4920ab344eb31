#include "core/ip_network.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace vigie {

namespace {

// inet_pton needs a NUL-terminated string; addresses are short.
bool parse_address(std::string_view text, std::array<uint8_t, 16>& out, bool& v6) {
    char buf[64];
    if (text.empty() || text.size() >= sizeof buf) return false;
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    v6 = text.find(':') != std::string_view::npos;
    return inet_pton(v6 ? AF_INET6 : AF_INET, buf, out.data()) == 1;
}

}  // namespace

std::optional<IpNetwork> IpNetwork::parse(std::string_view cidr) {
    IpNetwork net;
    size_t slash = cidr.find('/');
    std::string_view addr = cidr.substr(0, slash);
    if (!parse_address(addr, net.bytes_, net.v6_)) return std::nullopt;
    unsigned max_prefix = net.v6_ ? 128 : 32;
    net.prefix_ = max_prefix;
    if (slash != std::string_view::npos) {
        std::string_view p = cidr.substr(slash + 1);
        auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), net.prefix_);
        if (ec != std::errc() || ptr != p.data() + p.size() || net.prefix_ > max_prefix) {
            return std::nullopt;
        }
    }
    return net;
}

bool IpNetwork::contains(std::string_view address) const {
    std::array<uint8_t, 16> other{};
    bool v6 = false;
    if (!parse_address(address, other, v6) || v6 != v6_) return false;
    unsigned full = prefix_ / 8;
    if (std::memcmp(other.data(), bytes_.data(), full) != 0) return false;
    unsigned rest = prefix_ % 8;
    if (rest == 0) return true;
    auto mask = static_cast<uint8_t>(0xFF << (8 - rest));
    return (other[full] & mask) == (bytes_[full] & mask);
}

}  // namespace vigie
