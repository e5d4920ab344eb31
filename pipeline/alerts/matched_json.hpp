// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The "matched" part of an alert, shared by the jsonl and OCSF formats:
// [{"selection":"sel","fields":[{"name":"Image","value":"..."}]}]
#include <cstdint>
#include <span>
#include <string>

#include "detector/match_explanation.hpp"

namespace vigie {

// A value longer than max_value_bytes is cut there (on a UTF-8 boundary) and its field gets
// "value_original_bytes": its size before the cut (alert size bound, alert_format.hpp).
void append_matched(std::string& b, std::span<const MatchedField> matched,
                    size_t max_value_bytes = SIZE_MAX);

// The longest prefix of `text` of at most `max` bytes that ends on a UTF-8 boundary.
std::string_view utf8_prefix(std::string_view text, size_t max);

}  // namespace vigie
