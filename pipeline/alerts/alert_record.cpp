// SPDX-License-Identifier: EUPL-1.2
#include "pipeline/alerts/alert_record.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "pipeline/alerts/alert_format.hpp"

namespace vigie {

namespace {

// Calls `each` with every comma-separated tag; stops when it returns true.
template <typename Each>
bool any_tag(std::string_view tags, Each each) {
    while (!tags.empty()) {
        const size_t comma = tags.find(',');
        if (each(tags.substr(0, comma))) return true;
        if (comma == std::string_view::npos) break;
        tags.remove_prefix(comma + 1);
    }
    return false;
}

AlertTlp tlp_of_tag(std::string_view tag) {
    static constexpr std::array<std::pair<std::string_view, AlertTlp>, 6> kTags{{
        {"tlp:clear", AlertTlp::Clear},
        {"tlp:white", AlertTlp::Clear},
        {"tlp:green", AlertTlp::Green},
        {"tlp:amber", AlertTlp::Amber},
        {"tlp:amber+strict", AlertTlp::AmberStrict},
        {"tlp:red", AlertTlp::Red},
    }};
    for (const auto& [name, tlp] : kTags)
        if (tag == name) return tlp;
    return AlertTlp::None;
}

}  // namespace

AlertTlp tlp_of_tags(std::string_view tags) {
    AlertTlp most = AlertTlp::None;
    if (tags.find("tlp:") == std::string_view::npos) return most;
    any_tag(tags, [&](std::string_view tag) {
        most = std::max(most, tlp_of_tag(tag));
        return false;
    });
    return most;
}

AlertRouting::AlertRouting(std::string_view uid, std::string_view agency, std::string_view rule_id,
                           std::string_view tags, Level level)
    : AlertRouting(uid, agency, rule_id, tags, level, tlp_of_tags(tags)) {}

bool AlertRouting::has_tag(std::string_view tag) const {
    return any_tag(tags, [&](std::string_view t) { return t == tag; });
}

void fill_record(const Alert& alert, const AlertFormat& format, AlertRecord& record) {
    const Rule& rule = alert.rule;
    record.uid.assign(alert.uid);
    record.agency.assign(alert.agency);
    record.rule_id.assign(rule.id);
    record.level = rule.level;
    record.tags.clear();
    for (const auto& tag : rule.tags) {
        if (!record.tags.empty()) record.tags += ',';
        record.tags += tag;
    }
    record.tlp = tlp_of_tags(record.tags);
    record.indicator_id.assign(alert.indicator ? alert.indicator->id : std::string_view());
    record.indicator_source.assign(alert.indicator ? alert.indicator->source : std::string_view());
    record.text.clear();
    format.append(alert, record.text);
    if (!record.text.empty() && record.text.back() == '\n') record.text.pop_back();
}

AlertRecord& AlertRecordBatch::add() {
    if (size_ == records_.size()) records_.emplace_back();
    return records_[size_++];
}

}  // namespace vigie
