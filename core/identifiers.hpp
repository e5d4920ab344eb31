// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The checks of names and identifiers that several parts read from their input.
#include <algorithm>
#include <cstddef>
#include <string_view>

namespace vigie {

// A letter, a digit, '-' or '_' (ASCII).
constexpr bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

// A name that becomes a NATS subject token, a metrics label value, a file name or a URL
// path segment (agency ids, output names, peer ids, API root paths): 1 to 64 name
// characters, so no dots, spaces, slashes or wildcards.
constexpr bool is_name_token(std::string_view text) {
    return !text.empty() && text.size() <= 64 &&
           std::all_of(text.begin(), text.end(), is_name_char);
}

enum class HexCase { Lower, Any };

// 8-4-4-4-12 hexadecimal digits (RFC 4122's text form, no braces). HexCase::Lower where
// the format asks for lower case (STIX identifiers as TAXII keeps them).
constexpr bool is_uuid_text(std::string_view text, HexCase hex_case = HexCase::Any) {
    if (text.size() != 36) return false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        const bool digit = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                           (hex_case == HexCase::Any && c >= 'A' && c <= 'F');
        if (dash ? c != '-' : !digit) return false;
    }
    return true;
}

}  // namespace vigie
