// SPDX-License-Identifier: EUPL-1.2
#include "pipeline/alerts/alert_suppressor.hpp"

#include <functional>

#include "pipeline/alerts/alert_id.hpp"

namespace vigie {

// An owned copy of a window's first alert, enough to format its summary later.
struct AlertSuppressor::Window {
    std::shared_ptr<const void> ruleset_owner;
    const Rule* rule = nullptr;
    std::string agency, source_file, event, uid, host, subset;
    std::vector<std::string> matched_text;  // selection, field, value triples
    uint64_t index = 0, line = 0;
    bool include_event = true;
    bool event_minified = false;
    std::optional<int64_t> first_event_ms, last_event_ms;
    int64_t opened_ms = 0;
    uint64_t count = 1;
};

AlertSuppressor::AlertSuppressor(const SuppressionSettings& settings, size_t max_keys)
    : window_ms_(static_cast<int64_t>(settings.window_seconds) * 1000),
      max_keys_per_shard_(max_keys / kShards + 1),
      fields_(settings.fields) {}

AlertSuppressor::~AlertSuppressor() = default;

std::vector<std::string> AlertSuppressor::key_fields() const {
    std::lock_guard lock(fields_mutex_);
    return fields_;
}

void AlertSuppressor::reconfigure(const SuppressionSettings& settings) {
    {
        std::lock_guard lock(fields_mutex_);
        fields_ = settings.fields;
    }
    window_ms_.store(static_cast<int64_t>(settings.window_seconds) * 1000,
                     std::memory_order_relaxed);
}

bool AlertSuppressor::admit(const Alert& a, std::string_view key, int64_t now_ms,
                            const std::shared_ptr<const void>& ruleset_owner) {
    const int64_t window_ms = window_ms_.load(std::memory_order_relaxed);
    if (window_ms <= 0) return true;
    std::string full_key = a.rule.id;
    full_key += '\0';
    full_key += a.agency;
    full_key += '\0';
    full_key += key;
    Shard& shard = shards_[std::hash<std::string>{}(full_key) % kShards];
    std::lock_guard lock(shard.mutex);
    auto it = shard.windows.find(full_key);
    if (it != shard.windows.end() && now_ms - it->second->opened_ms < window_ms) {
        Window& w = *it->second;
        ++w.count;
        if (a.event_time_ms) {
            w.last_event_ms =
                std::max(w.last_event_ms.value_or(*a.event_time_ms), *a.event_time_ms);
            if (!w.first_event_ms || *a.event_time_ms < *w.first_event_ms)
                w.first_event_ms = a.event_time_ms;
        }
        suppressed_.fetch_add(1, std::memory_order_relaxed);
        return false;
    }
    if (it == shard.windows.end() && shard.windows.size() >= max_keys_per_shard_) {
        overflow_.fetch_add(1, std::memory_order_relaxed);
        return true;
    }
    auto w = std::make_unique<Window>();
    w->ruleset_owner = ruleset_owner;
    w->rule = &a.rule;
    w->agency = a.agency;
    w->source_file = a.source_file;
    w->event = a.event;
    w->uid = a.uid;
    w->host = a.host;
    w->subset = a.event_subset;
    w->include_event = a.include_event;
    w->event_minified = a.event_minified;
    for (const auto& m : a.matched) {
        w->matched_text.insert(w->matched_text.end(), {std::string(m.selection),
                                                       std::string(m.field), std::string(m.value)});
    }
    w->index = a.index;
    w->line = a.line;
    w->first_event_ms = w->last_event_ms = a.event_time_ms;
    w->opened_ms = now_ms;
    // A closed window still in the map (not yet taken) is replaced; its summary is lost
    // only if take_closed() was not called for a whole window, which the serve loop does
    // every second.
    shard.windows[full_key] = std::move(w);
    return true;
}

size_t AlertSuppressor::take_closed(int64_t now_ms, bool all, const AlertFormat& format,
                                    AlertRecordBatch& out) {
    size_t emitted = 0;
    std::vector<MatchedField> matched;
    std::string uid, seed;
    for (Shard& shard : shards_) {
        std::lock_guard lock(shard.mutex);
        for (auto it = shard.windows.begin(); it != shard.windows.end();) {
            Window& w = *it->second;
            if (!all && now_ms - w.opened_ms < window_ms_.load(std::memory_order_relaxed)) {
                ++it;
                continue;
            }
            if (w.count > 1) {
                matched.clear();
                for (size_t i = 0; i + 2 < w.matched_text.size(); i += 3) {
                    matched.push_back(
                        {w.matched_text[i], w.matched_text[i + 1], w.matched_text[i + 2]});
                }
                seed = w.uid + "/window/" + std::to_string(w.opened_ms);
                compute_alert_id(w.rule->id, w.agency, seed, uid);
                Alert a{*w.rule, w.source_file, w.index, w.line, w.event, w.agency};
                a.uid = uid;
                a.time_ms = now_ms;
                a.event_time_ms = w.first_event_ms;
                a.last_event_time_ms = w.last_event_ms;
                a.count = w.count;
                a.host = w.host;
                a.matched = matched;
                a.include_event = w.include_event;
                a.event_minified = w.event_minified;
                a.event_subset = w.subset;
                fill_record(a, format, out.add());
                ++emitted;
            }
            it = shard.windows.erase(it);
        }
    }
    summaries_.fetch_add(emitted, std::memory_order_relaxed);
    return emitted;
}

SuppressionStats AlertSuppressor::stats() const {
    SuppressionStats s{suppressed_.load(), summaries_.load(), overflow_.load(), 0};
    for (const Shard& shard : shards_) {
        std::lock_guard lock(shard.mutex);
        s.open_windows += shard.windows.size();
    }
    return s;
}

}  // namespace vigie
