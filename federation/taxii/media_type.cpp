// SPDX-License-Identifier: EUPL-1.2
#include "federation/taxii/media_type.hpp"

#include <string>

#include "core/text.hpp"

namespace vigie::taxii {

namespace {

std::string trimmed_lower(std::string_view s) {
    return ascii_lower(trim_blanks(s));
}

// One media range ("application/taxii+json; version=2.1; q=0.9"): its type and the
// value of its version parameter ("" without one).
struct MediaRange {
    std::string type;
    std::string version;
    bool zero_quality = false;  // q=0: "not this one"
};

MediaRange parse_range(std::string_view text) {
    MediaRange r;
    size_t semi = text.find(';');
    r.type = trimmed_lower(text.substr(0, semi));
    while (semi != std::string_view::npos) {
        const size_t next = text.find(';', semi + 1);
        const std::string param = trimmed_lower(text.substr(semi + 1, next - semi - 1));
        const size_t eq = param.find('=');
        if (eq != std::string::npos) {
            const std::string name = trimmed_lower(param.substr(0, eq));
            std::string value = trimmed_lower(param.substr(eq + 1));
            if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
                value = value.substr(1, value.size() - 2);
            if (name == "version") r.version = value;
            if (name == "q") r.zero_quality = value.find_first_not_of("0.") == std::string::npos;
        }
        semi = next;
    }
    return r;
}

bool taxii_range(const MediaRange& r) {
    return r.type == "application/taxii+json" && (r.version.empty() || r.version == "2.1");
}

}  // namespace

bool accepts_taxii(std::string_view accept) {
    if (trimmed_lower(accept).empty()) return true;
    size_t start = 0;
    while (start <= accept.size()) {
        size_t comma = accept.find(',', start);
        if (comma == std::string_view::npos) comma = accept.size();
        const MediaRange r = parse_range(accept.substr(start, comma - start));
        start = comma + 1;
        if (r.zero_quality) continue;
        if (taxii_range(r) || r.type == "*/*" || r.type == "application/*") return true;
    }
    return false;
}

bool is_taxii_media_type(std::string_view content_type) {
    return taxii_range(parse_range(content_type));
}

}  // namespace vigie::taxii
