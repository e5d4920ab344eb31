// SPDX-License-Identifier: EUPL-1.2
#pragma once
// MISP attribute types as STIX 2.1 patterns: what vigie can match of a MISP feed. Types
// with two values ("domain|ip", "filename|sha256") give the observable parts; types with
// no STIX observable vigie matches (a "comment", a "yara" rule) give nothing.
#include <optional>
#include <string>
#include <string_view>

namespace vigie::misp {

// The pattern for one attribute ("[domain-name:value = 'evil.example']"), or nothing
// when the type has no observable vigie matches.
std::optional<std::string> attribute_pattern(std::string_view type, std::string_view value);

// A value quoted as a STIX string constant ('it\'s').
std::string stix_quote(std::string_view value);

}  // namespace vigie::misp
