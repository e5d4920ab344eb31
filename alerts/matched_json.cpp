#include "alerts/matched_json.hpp"

#include "alerts/json_text.hpp"

namespace vigie {

void append_matched(std::string& b, std::span<const MatchedField> matched) {
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
        append_json_string(b, matched[i].value);
        b += '}';
    }
    if (!matched.empty()) b += "]}";
    b += ']';
}

}  // namespace vigie
