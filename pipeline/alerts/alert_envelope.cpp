// SPDX-License-Identifier: EUPL-1.2
#include "pipeline/alerts/alert_envelope.hpp"

#include <array>

namespace vigie {

namespace {

void append_routing_value(std::string& out, std::string_view value, bool keep_commas) {
    for (char c : value) {
        out += (c == '\t' || c == '\n' || c == '\r' || (!keep_commas && c == ',')) ? ' ' : c;
    }
}

}  // namespace

void append_envelope(const AlertRouting& r, std::string_view alert_line, std::string& out) {
    append_routing_value(out, r.uid, false);
    out += '\t';
    append_routing_value(out, r.agency, false);
    out += '\t';
    out += level_name(r.level);
    out += '\t';
    append_routing_value(out, r.rule_id, false);
    out += '\t';
    append_routing_value(out, r.tags, true);
    out += '\n';
    out += alert_line;
    out += '\n';
}

bool parse_envelope(std::string_view record, AlertRouting& routing, std::string_view& alert) {
    size_t newline = record.find('\n');
    if (newline == std::string_view::npos) return false;
    std::string_view head = record.substr(0, newline);
    alert = record.substr(newline + 1);
    if (alert.find('\n') != std::string_view::npos) return false;
    std::array<std::string_view, 5> parts;
    for (size_t i = 0; i < parts.size(); ++i) {
        size_t tab = head.find('\t');
        if ((tab == std::string_view::npos) != (i + 1 == parts.size())) return false;
        parts[i] = head.substr(0, tab);
        head.remove_prefix(tab == std::string_view::npos ? head.size() : tab + 1);
    }
    auto level = parse_level(parts[2]);
    if (!level || parts[0].empty()) return false;
    routing = AlertRouting{parts[0], parts[1], parts[3], parts[4], *level};
    return true;
}

}  // namespace vigie
