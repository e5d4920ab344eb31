// SPDX-License-Identifier: EUPL-1.2
#include "pipeline/alerts/matched_json.hpp"

#include "core/json_text.hpp"

namespace vigie {

std::string_view utf8_prefix(std::string_view text, size_t max) {
    if (text.size() <= max) return text;
    size_t end = max;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    return text.substr(0, end);
}

void append_matched(std::string& b, std::span<const MatchedField> matched, size_t max_value_bytes) {
    b += '[';
    for (size_t i = 0; i < matched.size(); ++i) {
        const bool new_selection = i == 0 || matched[i].selection != matched[i - 1].selection;
        if (new_selection) {
            if (i > 0) b += "]},";
            b += R"({"selection":)";
            append_json_string(b, matched[i].selection);
            b += R"(,"fields":[)";
        } else {
            b += ',';
        }
        b += R"({"name":)";
        append_json_string(b, matched[i].field);
        b += R"(,"value":)";
        const std::string_view value = matched[i].value;
        append_json_string(b, utf8_prefix(value, max_value_bytes));
        if (value.size() > max_value_bytes) {
            b += R"(,"value_original_bytes":)";
            append_json_number(b, value.size());
        }
        b += '}';
    }
    if (!matched.empty()) b += "]}";
    b += ']';
}

}  // namespace vigie
