// SPDX-License-Identifier: EUPL-1.2
#pragma once
// What an event value or an indicator's constant is, as an observable, and the one
// spelling both sides are compared in: domains and e-mail addresses in lower case
// without a final dot, hashes in lower-case hex under the STIX algorithm name, IP
// addresses as bytes (core/ip_network.hpp). An event field and an indicator meet when
// their canonical keys and normalised values are equal (or, for IPs, the address is
// inside the network).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/ip_network.hpp"

namespace vigie {

enum class ValueKind : uint8_t { Domain, Url, Ip, Email, Hash, Text };

// The kind of a STIX object path: "domain-name:value" -> Domain, "ipv4-addr:value",
// "ipv6-addr:value", "network-traffic:dst_ref.value" -> Ip, "file:hashes.SHA-256" ->
// Hash ...; any other path is Text, compared byte for byte.
ValueKind kind_of_path(std::string_view object_path);

// The key two sides are compared under: every IP path is "ip" (an address is an address,
// whichever object carries it), a hash is "file:hashes.<STIX algorithm name>", others
// are the path itself. `out` is overwritten.
void canonical_key(std::string_view object_path, std::string& out);

// "SHA256" / "sha-256" / "SHA-256" -> "SHA-256", "MD5", "SHA-1", "SHA-512", "SHA3-256",
// "SSDEEP", "TLSH"; nothing for an unknown name.
std::optional<std::string_view> stix_hash_name(std::string_view name);

// Appends the normalised value; false when the value cannot be of this kind (a hash
// with a non-hex character, an empty domain).
bool normalize_value(ValueKind kind, std::string_view value, std::string& out);

}  // namespace vigie
