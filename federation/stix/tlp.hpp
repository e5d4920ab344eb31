// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Traffic Light Protocol levels (TLP 2.0, with TLP 1.0's WHITE read as CLEAR) and the
// STIX marking-definition ids that carry them. Every way out of vigie asks
// `tlp_may_leave` before an object goes to a peer; what of an object goes (granular
// markings on its properties) is decided by federation/stix/tlp_granular.hpp's `disclose`.
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vigie::stix {

// Ordered from the least to the most restricted, so that the strictest of several
// markings is their maximum.
enum class Tlp { Clear = 0, Green = 1, Amber = 2, AmberStrict = 3, Red = 4 };

// "TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED".
std::string_view tlp_name(Tlp level);
// "clear", "green", "amber", "amber+strict", "red" (also "white"), any case, with or
// without a "TLP:" or "tlp:" prefix (MISP tags, configuration files).
std::optional<Tlp> parse_tlp(std::string_view text);

// The TLP 2.0 marking-definition id of a level ("marking-definition--94868c89-...").
std::string_view tlp_marking_id(Tlp level);
// The level a marking-definition id stands for (TLP 2.0 or TLP 1.0 ids); nothing for
// any other marking.
std::optional<Tlp> tlp_of_marking(std::string_view marking_definition_id);
// The strictest TLP among an object's object_marking_refs; nothing when none is a TLP
// marking (the caller applies the configured default).
std::optional<Tlp> strictest_tlp(std::span<const std::string> marking_refs);

// What a peer is cleared for, from the configuration.
struct PeerClearance {
    bool authenticated = false;
    bool amber = false;  // configured to receive TLP:AMBER
};

// CLEAR and GREEN go to any authenticated peer, AMBER only to peers cleared for it,
// AMBER+STRICT and RED never leave the organisation.
bool tlp_may_leave(Tlp level, const PeerClearance& peer);

}  // namespace vigie::stix
