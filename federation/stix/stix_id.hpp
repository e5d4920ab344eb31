// SPDX-License-Identifier: EUPL-1.2
#pragma once
// STIX identifiers (STIX 2.1 section 2.9): "<object type>--<UUID>", checked the same way by
// the bundle reader, MISP's conversion and the TAXII server.
#include <string_view>

#include "core/identifiers.hpp"

namespace vigie::stix {

// An object type's name: 3 to 250 lower-case ASCII letters, digits and hyphens, no "--".
constexpr bool valid_type_name(std::string_view type) {
    if (type.size() < 3 || type.size() > 250) return false;
    for (char c : type)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    return type.find("--") == std::string_view::npos;
}

// "<type>--<UUID>" of the given type, the UUID's hex digits in either case.
constexpr bool valid_stix_id(std::string_view id, std::string_view type) {
    return id.size() == type.size() + 2 + 36 && id.starts_with(type) &&
           id.substr(type.size(), 2) == "--" && is_uuid_text(id.substr(type.size() + 2));
}

// "<type>--<UUID>" of any valid type; `uuid_case` Lower where the UUID must be in lower
// case (the TAXII collections keep ids as they are written, so case would split one id
// in two).
constexpr bool valid_stix_id(std::string_view id, HexCase uuid_case) {
    const size_t separator = id.find("--");
    return separator != std::string_view::npos && valid_type_name(id.substr(0, separator)) &&
           is_uuid_text(id.substr(separator + 2), uuid_case);
}

}  // namespace vigie::stix
