// SPDX-License-Identifier: EUPL-1.2
#include "delivery/outputs/output_filter.hpp"

#include <algorithm>

namespace vigie {

namespace {

bool contains(const std::vector<std::string>& list, std::string_view value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

bool accepts(const OutputFilter& filter, const AlertRouting& routing) {
    if (routing.level < filter.min_level) return false;
    if (filter.leaves_organisation && (routing.tlp >= AlertTlp::AmberStrict ||
                                       (!filter.tlp_amber && routing.tlp == AlertTlp::Amber))) {
        return false;
    }
    if (!filter.agencies.empty() && !contains(filter.agencies, routing.agency)) return false;
    if (contains(filter.exclude_rules, routing.rule_id)) return false;
    if (filter.tags.empty()) return true;
    return std::any_of(filter.tags.begin(), filter.tags.end(),
                       [&](const std::string& tag) { return routing.has_tag(tag); });
}

}  // namespace

bool filter_accepts(const OutputFilter& filter, const AlertRouting& routing) {
    if (!filter.live) return accepts(filter, routing);
    const std::shared_ptr<const OutputFilter> now = filter.live->current();  // a reload's
    return accepts(*now, routing);
}

}  // namespace vigie
