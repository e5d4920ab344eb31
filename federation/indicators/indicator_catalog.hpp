// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The indicators in force, for the workers: the store (what is known, persistent) and
// the compiled segments (what is matched). New and changed indicators are compiled into
// a small segment and published at once (an atomic swap of the set the workers read);
// superseded, revoked and evicted ones are marked dead in place, so they stop matching
// before any rebuild. When segments pile up they are merged in the background from the
// store, without holding up arrivals.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

#include "core/clock.hpp"  // unix_now_us(), the time apply() is given
#include "core/diagnostic.hpp"
#include "core/result.hpp"
#include "federation/indicators/indicator_segment.hpp"
#include "federation/indicators/indicator_store.hpp"
#include "pipeline/scan/indicator_source.hpp"

namespace vigie {

struct IndicatorSet {
    std::vector<std::shared_ptr<const IndicatorSegment>> segments;
};

struct ApplyReport {
    size_t added = 0;
    size_t updated = 0;
    size_t stale = 0;        // already known at this version or newer
    size_t revoked = 0;      // the newest version is revoked: stops matching
    size_t not_matched = 0;  // stored, but not matched per event (kept in diagnostics)
    size_t evicted = 0;
    Diagnostics diagnostics;  // why an indicator is not matched per event
};

// What the metrics show, by TLP and source peer.
struct IndicatorCounts {
    // (object type, TLP name, source) -> live indicators matched per event
    std::map<std::tuple<std::string, std::string, std::string>, int64_t> by_type_tlp_source;
    size_t matched_per_event = 0;
    size_t stored = 0;
    uint64_t evictions = 0;
    uint64_t not_matched = 0;
};

class IndicatorCatalog final : public IndicatorSource {
  public:
    // Builds the matched set from the store's current indicators.
    explicit IndicatorCatalog(IndicatorStore& store, size_t max_segments = 8);
    ~IndicatorCatalog() override;
    IndicatorCatalog(const IndicatorCatalog&) = delete;
    IndicatorCatalog& operator=(const IndicatorCatalog&) = delete;

    Result<ApplyReport> apply(const std::vector<stix::Indicator>& indicators, int64_t now_us);
    [[nodiscard]] std::shared_ptr<const IndicatorSet> current() const {
        return current_.load(std::memory_order_acquire);
    }
    [[nodiscard]] IndicatorCounts counts() const;
    // A worker's matcher (indicator_matcher.hpp) over the ruleset's observable fields.
    [[nodiscard]] std::unique_ptr<IndicatorLookup> lookup(const Ruleset& ruleset) const override;
    [[nodiscard]] IndicatorStore& store() { return store_; }
    // Waits for a background merge to finish (tests, benchmarks).
    void wait_idle();

  private:
    std::shared_ptr<IndicatorSegment> build_from_store(Diagnostics& diags);
    void compile(IndicatorSegment::Builder& builder, const stix::Indicator& ind,
                 Diagnostics& diags);
    void kill(const IndicatorSet& set, const std::string& id);
    void publish(std::shared_ptr<const IndicatorSet> set);
    void merge_in_background();
    size_t merge_once();
    void count_live(const IndicatorSet& set, IndicatorCounts& counts) const;

    IndicatorStore& store_;
    size_t max_segments_;
    std::atomic<std::shared_ptr<const IndicatorSet>> current_;
    mutable std::mutex mutex_;  // serialises apply() and the merge's final swap
    std::condition_variable idle_;
    bool merging_ = false;
    std::vector<std::string> killed_during_merge_;
    std::thread merger_;
    uint64_t not_matched_ = 0;
    std::atomic<uint64_t> generation_{0};  // bumped by every apply and merge
    mutable std::mutex counts_mutex_;
    mutable IndicatorCounts cached_;
    mutable uint64_t cached_generation_ = UINT64_MAX;
    mutable int64_t cached_at_us_ = 0;
};

}  // namespace vigie
