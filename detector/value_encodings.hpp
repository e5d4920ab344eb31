// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The Sigma transformation modifiers that rewrite a value before it is matched:
// base64, base64offset, utf16le/utf16be/utf16/wide and windash.
#include <string>
#include <string_view>
#include <vector>

#include "detector/sigma_string.hpp"

namespace vigie {

std::string base64_encode(std::string_view bytes);
// The three encodings of `bytes` at offsets 0, 1 and 2 of a base64 stream, trimmed to
// the characters that do not depend on what surrounds it (as pySigma does).
std::vector<std::string> base64_offsets(std::string_view bytes);

enum class Utf16Form : unsigned char { LittleEndian, BigEndian, WithBom };
// Re-encodes the UTF-8 literal parts as UTF-16; wildcards stay wildcards.
SigmaString to_utf16(const SigmaString& value, Utf16Form form);

// Every variant of `value` where each '-' or '/' that starts a word-like option
// (pySigma: \B[-/]\b) is one of - / and the en dash, em dash and horizontal bar.
// Returns an empty vector when the variants would exceed `limit`.
std::vector<SigmaString> windash_variants(const SigmaString& value, size_t limit);

}  // namespace vigie
