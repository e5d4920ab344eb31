// SPDX-License-Identifier: EUPL-1.2
#include "pipeline/engine/ingest_figures.hpp"

#include <algorithm>

namespace vigie {

std::string_view reject_reason_name(RejectReason reason) {
    return kRejectReasonNames[static_cast<size_t>(reason)];
}

void IngestCounts::add(const IngestCounts& other) {
    received += other.received;
    bytes += other.bytes;
    rule_evaluations += other.rule_evaluations;
    for (size_t i = 0; i < rejected.size(); ++i) rejected[i] += other.rejected[i];
    for (size_t i = 0; i < alerts.size(); ++i) alerts[i] += other.alerts[i];
}

void LatencyHistogram::observe(double seconds) {
    const auto* bucket = std::lower_bound(kLatencyBounds.begin(), kLatencyBounds.end(), seconds);
    ++counts[static_cast<size_t>(bucket - kLatencyBounds.begin())];
    sum += seconds;
}

void LatencyHistogram::add(const LatencyHistogram& other) {
    for (size_t i = 0; i < counts.size(); ++i) counts[i] += other.counts[i];
    sum += other.sum;
}

uint64_t LatencyHistogram::count() const {
    uint64_t n = 0;
    for (uint64_t c : counts) n += c;
    return n;
}

void RuleMatches::count(const std::string& rule_id, uint64_t matches, size_t max_rules) {
    if (auto it = by_rule.find(rule_id); it != by_rule.end()) {
        it->second += matches;
    } else if (by_rule.size() < max_rules) {
        by_rule.emplace(rule_id, matches);
    } else {
        other += matches;
    }
}

void RuleMatches::add(const RuleMatches& o) {
    for (const auto& [id, n] : o.by_rule) by_rule[id] += n;
    other += o.other;
}

void IngestFigures::add(const IngestFigures& o) {
    for (const auto& [key, c] : o.counts) counts[key].add(c);
    rule_matches.add(o.rule_matches);
    regex_limit_hits.add(o.regex_limit_hits);
    latency.add(o.latency);
}

}  // namespace vigie
