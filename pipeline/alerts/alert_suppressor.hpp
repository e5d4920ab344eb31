// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Suppression of repeated alerts, so that a noisy rule cannot flood the hub: within a
// window that opens with an alert, later alerts of the same rule and agency with the same
// values of the configured fields are only counted. The first alert goes out at once
// (count 1, so detection is never delayed); when the window closes with repeats, one
// summary alert goes out with the window's count (the first event included), its first
// and last event times, and an id of its own. Shared by every worker (a lock per shard,
// taken only for alerts, not events); at most max_keys open windows, beyond which alerts
// pass unsuppressed (counted) rather than be lost.
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pipeline/alerts/alert_format.hpp"
#include "pipeline/alerts/alert_record.hpp"
#include "pipeline/alerts/alert_settings.hpp"

namespace vigie {

struct SuppressionStats {
    uint64_t suppressed = 0;  // alerts counted into an open window instead of sent
    uint64_t summaries = 0;   // summary alerts emitted
    uint64_t overflow = 0;    // alerts let through because max_keys windows were open
    uint64_t open_windows = 0;
};

class AlertSuppressor {
  public:
    explicit AlertSuppressor(const SuppressionSettings& settings, size_t max_keys = 100000);
    ~AlertSuppressor();
    AlertSuppressor(const AlertSuppressor&) = delete;
    AlertSuppressor& operator=(const AlertSuppressor&) = delete;

    [[nodiscard]] bool enabled() const { return window_ms_.load(std::memory_order_relaxed) > 0; }
    // A copy: a reload may change them while a worker builds its scanner.
    [[nodiscard]] std::vector<std::string> key_fields() const;
    // A reload: later alerts are suppressed under these (window 0: none is). Open windows
    // close by the new length, their summaries written as usual; a window keyed by the
    // old fields simply gets no more repeats.
    void reconfigure(const SuppressionSettings& settings);

    // True when `alert` opens a window (send it); false when it was counted into an open
    // one. `key` is the configured fields' values of its event (any stable encoding).
    // `ruleset_owner` keeps the rule alive for the summary across reloads.
    bool admit(const Alert& alert, std::string_view key, int64_t now_ms,
               const std::shared_ptr<const void>& ruleset_owner);

    // Formats the summaries of the windows closed at `now_ms` (all of them with `all`) and
    // adds them to `out` as records; returns how many. Windows without repeats close
    // silently.
    size_t take_closed(int64_t now_ms, bool all, const AlertFormat& format, AlertRecordBatch& out);
    // (The caller keeps what it could not deliver and writes it again: nothing is lost.)
    [[nodiscard]] SuppressionStats stats() const;

  private:
    struct Window;
    struct Shard {
        mutable std::mutex mutex;
        std::unordered_map<std::string, std::unique_ptr<Window>> windows;
    };
    static constexpr size_t kShards = 16;

    std::atomic<int64_t> window_ms_;
    size_t max_keys_per_shard_;
    mutable std::mutex fields_mutex_;
    std::vector<std::string> fields_;
    std::array<Shard, kShards> shards_;
    std::atomic<uint64_t> suppressed_{0};
    std::atomic<uint64_t> summaries_{0};
    std::atomic<uint64_t> overflow_{0};
};

}  // namespace vigie
