// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A HOST:PORT to listen on ("127.0.0.1:8080", "[::1]:8080", "0.0.0.0:443").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace vigie {

struct ListenAddress {
    std::string host;  // without the brackets of an IPv6 address
    uint16_t port = 0;
    bool operator==(const ListenAddress&) const = default;
    [[nodiscard]] std::string to_string() const;
    // 127.0.0.0/8 or ::1: reachable from this machine only.
    [[nodiscard]] bool loopback() const;
};

// An error when `text` is not HOST:PORT with HOST an IP address (no name lookup) and a port
// in 0..65535 (0: any free port).
Result<ListenAddress> parse_listen_address(std::string_view text);

}  // namespace vigie
