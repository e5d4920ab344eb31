#pragma once
// An IPv4 or IPv6 network for the Sigma `cidr` modifier.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace vigie {

class IpNetwork {
  public:
    // "10.0.0.0/8", "2001:db8::/32", or a bare address (a /32 or /128).
    static std::optional<IpNetwork> parse(std::string_view cidr);
    // True when `address` is an address inside this network. Anything that is not an
    // address of the same family is outside.
    [[nodiscard]] bool contains(std::string_view address) const;

  private:
    std::array<uint8_t, 16> bytes_{};
    bool v6_ = false;
    unsigned prefix_ = 0;
};

}  // namespace vigie
