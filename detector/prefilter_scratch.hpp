// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Per-thread prefilter state and the per-event work: Hyperscan scans and exact lookups
// of the event's field values, then the rules whose plans were hit.
#include <hs/hs.h>

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "detector/event_fields.hpp"
#include "detector/prefilter.hpp"

namespace vigie {

// Per-thread prefilter state: Hyperscan scratch, the trigger sets one event hit, and
// its candidate rules.
class PrefilterScratch {
  public:
    explicit PrefilterScratch(const Prefilter& prefilter);
    ~PrefilterScratch();
    PrefilterScratch(const PrefilterScratch&) = delete;
    PrefilterScratch& operator=(const PrefilterScratch&) = delete;

    // The rules worth evaluating for this event, ascending.
    std::span<const uint32_t> candidates(const EventFields& event, const FieldTable& fields);

  private:
    void scan(const Prefilter::Database& db, std::string_view text);
    // Pass 1 scans the databases every event needs, pass 2 those whose gate is open.
    void scan_fields(const EventFields& event, const FieldTable& fields, bool gated);
    void scan_keywords(const EventFields& event, bool gated);
    [[nodiscard]] bool gate_open(uint32_t gate) const {
        return gate == 0 || all_hit(prefilter_.gate_sets(gate));
    }
    void hit(uint32_t set) {
        if (hit_[set] == 0) {
            hit_[set] = 1;
            hit_list_.push_back(set);
        }
    }
    [[nodiscard]] bool all_hit(std::span<const uint32_t> sets) const;

    const Prefilter& prefilter_;
    hs_scratch_t* scratch_ = nullptr;
    std::vector<uint8_t> hit_;  // by trigger set
    std::vector<uint32_t> hit_list_;
    std::vector<uint32_t> list_;
    const Prefilter::Database* current_ = nullptr;
    size_t current_size_ = 0;
    bool scan_failed_ = false;
    std::string keywords_;  // the event's strings, joined, for keyword databases
    std::string fold_;      // a value folded for exact lookups
};

}  // namespace vigie
