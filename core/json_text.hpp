// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Appending JSON text to a reusable buffer: escaped strings and minified documents.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigie {

// Appends `s` as a JSON string literal (quotes included). Invalid UTF-8 bytes are
// replaced by U+FFFD so that the output is always valid JSON.
void append_json_string(std::string& out, std::string_view s);

// Appends the JSON document `doc` without insignificant whitespace. `doc` must be
// valid JSON (it was parsed before).
void append_minified_json(std::string& out, std::string_view doc);

void append_json_number(std::string& out, uint64_t n);
// ["a","b"]
void append_json_string_list(std::string& out, const std::vector<std::string>& list);

}  // namespace vigie
