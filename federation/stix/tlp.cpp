// SPDX-License-Identifier: EUPL-1.2
#include "federation/stix/tlp.hpp"

#include <algorithm>
#include <array>

#include "core/text.hpp"

namespace vigie::stix {
namespace {

struct TlpMarking {
    std::string_view id;
    Tlp level;
};

// TLP 2.0 ids from the STIX TLP 2.0 marking definitions; TLP 1.0 ids from STIX 2.1
// section 7.2.1.4, kept because most feeds still send them.
constexpr std::array<TlpMarking, 9> kMarkings{{
    {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", Tlp::Clear},
    {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", Tlp::Green},
    {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", Tlp::Amber},
    {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", Tlp::AmberStrict},
    {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", Tlp::Red},
    {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", Tlp::Clear},
    {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", Tlp::Green},
    {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", Tlp::Amber},
    {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", Tlp::Red},
}};

}  // namespace

std::string_view tlp_name(Tlp level) {
    switch (level) {
        case Tlp::Clear:
            return "TLP:CLEAR";
        case Tlp::Green:
            return "TLP:GREEN";
        case Tlp::Amber:
            return "TLP:AMBER";
        case Tlp::AmberStrict:
            return "TLP:AMBER+STRICT";
        case Tlp::Red:
            return "TLP:RED";
    }
    return "TLP:RED";
}

std::optional<Tlp> parse_tlp(std::string_view text) {
    if (text.size() > 4 && equals_ascii_nocase(text.substr(0, 4), "tlp:")) text.remove_prefix(4);
    if (equals_ascii_nocase(text, "clear") || equals_ascii_nocase(text, "white")) return Tlp::Clear;
    if (equals_ascii_nocase(text, "green")) return Tlp::Green;
    if (equals_ascii_nocase(text, "amber")) return Tlp::Amber;
    if (equals_ascii_nocase(text, "amber+strict")) return Tlp::AmberStrict;
    if (equals_ascii_nocase(text, "red")) return Tlp::Red;
    return std::nullopt;
}

std::string_view tlp_marking_id(Tlp level) {
    return kMarkings.at(static_cast<size_t>(level)).id;
}

std::optional<Tlp> tlp_of_marking(std::string_view marking_definition_id) {
    for (const auto& m : kMarkings) {
        if (m.id == marking_definition_id) return m.level;
    }
    return std::nullopt;
}

std::optional<Tlp> strictest_tlp(std::span<const std::string> marking_refs) {
    std::optional<Tlp> strictest;
    for (const auto& ref : marking_refs) {
        auto level = tlp_of_marking(ref);
        if (level && (!strictest || *level > *strictest)) strictest = level;
    }
    return strictest;
}

bool tlp_may_leave(Tlp level, const PeerClearance& peer) {
    if (!peer.authenticated) return false;
    switch (level) {
        case Tlp::Clear:
        case Tlp::Green:
            return true;
        case Tlp::Amber:
            return peer.amber;
        case Tlp::AmberStrict:
        case Tlp::Red:
            return false;
    }
    return false;
}

}  // namespace vigie::stix
