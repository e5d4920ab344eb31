#include "config/listen_address.hpp"

#include <charconv>

namespace vigie {

std::string ListenAddress::to_string() const {
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string& error) {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
        error = "expected HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080";
        return std::nullopt;
    }
    std::string_view host = text.substr(0, colon);
    const std::string_view port_text = text.substr(colon + 1);
    if (host.front() == '[') {
        if (host.size() < 3 || host.back() != ']') {
            error = "an IPv6 host is written in brackets: [::1]:8080";
            return std::nullopt;
        }
        host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string_view::npos) {
        error = "an IPv6 host is written in brackets: [::1]:8080";
        return std::nullopt;
    }
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    // Port 0 asks the kernel for a free port; vigie serve logs the one it got.
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
        error = "the port must be a number from 0 (any free port) to 65535";
        return std::nullopt;
    }
    return ListenAddress{std::string(host), static_cast<uint16_t>(port)};
}

}  // namespace vigie
