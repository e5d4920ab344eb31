// SPDX-License-Identifier: EUPL-1.2
#include "core/listen_address.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace vigie {

std::string ListenAddress::to_string() const {
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<ListenAddress> parse_listen_address(std::string_view text) {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
        return Error{"expected HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080"};
    }
    std::string_view host = text.substr(0, colon);
    const std::string_view port_text = text.substr(colon + 1);
    if (host.front() == '[') {
        if (host.size() < 3 || host.back() != ']') {
            return Error{"an IPv6 host is written in brackets: [::1]:8080"};
        }
        host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string_view::npos) {
        return Error{"an IPv6 host is written in brackets: [::1]:8080"};
    }
    // vigie binds the address itself (no name lookup): a host name or an address such as
    // 999.1.1.1 is refused here, where it has a file:line:col, not by bind() at start-up.
    const std::string host_text(host);
    in6_addr address{};
    const bool ip = inet_pton(AF_INET, host_text.c_str(), &address) == 1 ||
                    inet_pton(AF_INET6, host_text.c_str(), &address) == 1;
    if (!ip) {
        return Error{"'" + host_text +
                     "' is not an IP address (IPv4 such as 127.0.0.1 or 0.0.0.0, or IPv6 in "
                     "brackets such as [::1]; host names are not looked up)"};
    }
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    // Port 0 asks the kernel for a free port; vigie serve logs the one it got.
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
        return Error{"the port must be a number from 0 (any free port) to 65535"};
    }
    return ListenAddress{std::string(host), static_cast<uint16_t>(port)};
}

bool ListenAddress::loopback() const {
    in6_addr v6{};
    in_addr v4{};
    if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
    return inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

}  // namespace vigie
