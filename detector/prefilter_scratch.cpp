// SPDX-License-Identifier: EUPL-1.2
#include "detector/prefilter_scratch.hpp"

#include <algorithm>
#include <stdexcept>

namespace vigie {

PrefilterScratch::PrefilterScratch(const Prefilter& prefilter)
    : prefilter_(prefilter), hit_(prefilter.set_count(), 0) {
    if (prefilter.scratch_prototype() != nullptr &&
        hs_clone_scratch(prefilter.scratch_prototype(), &scratch_) != HS_SUCCESS) {
        throw std::runtime_error("hs_clone_scratch failed");
    }
}

PrefilterScratch::~PrefilterScratch() {
    hs_free_scratch(scratch_);
}

void PrefilterScratch::scan(const Prefilter::Database& db, std::string_view text) {
    if (!db.exact.empty()) db.exact.find(text, fold_, [this](uint32_t set) { hit(set); });
    if (db.db == nullptr) return;
    current_ = &db;
    current_size_ = text.size();
    auto on_match = [](unsigned id, unsigned long long, unsigned long long to, unsigned,
                       void* ctx) -> int {
        auto* self = static_cast<PrefilterScratch*>(ctx);
        const auto& d = *self->current_;
        const Prefilter::Pattern& p = d.patterns[id];
        if ((p.anchors & kAnchorStart) != 0 && to != p.length) return 0;
        if ((p.anchors & kAnchorEnd) != 0 && to != self->current_size_) return 0;
        for (uint32_t i = d.offsets[id]; i < d.offsets[id + 1]; ++i) self->hit(d.sets[i]);
        return 0;
    };
    const hs_error_t rc = hs_scan(db.db, text.data(), static_cast<unsigned>(text.size()), 0,
                                  scratch_, on_match, this);
    if (rc != HS_SUCCESS) scan_failed_ = true;  // matches may be missing: see candidates()
}

bool PrefilterScratch::all_hit(std::span<const uint32_t> sets) const {
    return std::all_of(sets.begin(), sets.end(), [&](uint32_t s) { return hit_[s] != 0; });
}

// Driven by the paths the event has: a field is scanned from the one path it resolves
// to, so each database sees a field's values once.
void PrefilterScratch::scan_fields(const EventFields& event, const FieldTable& fields, bool gated) {
    for (PathId path : event.touched()) {
        const auto values = event.values(path);
        if (values.empty()) continue;
        for (uint32_t entry : prefilter_.databases_on(path)) {
            const Prefilter::Database& db = prefilter_.databases()[entry & ~Prefilter::kFirstPath];
            if ((db.gate != 0) != gated || !gate_open(db.gate)) continue;
            // A field's first path, when it has values, is what the field resolves to.
            if ((entry & Prefilter::kFirstPath) == 0 &&
                event.resolve(fields, db.field).values.data() != values.data())
                continue;
            for (const FieldValue& v : values) {
                if (v.type != ValueType::Null) scan(db, v.text);
            }
        }
    }
}

void PrefilterScratch::scan_keywords(const EventFields& event, bool gated) {
    for (const Prefilter::Database* db : prefilter_.keyword_databases()) {
        if ((db->gate != 0) != gated || !gate_open(db->gate)) continue;
        if (keywords_.empty()) {
            for (auto s : event.strings()) {
                keywords_.append(s);
                keywords_ += Prefilter::kKeywordSeparator;
            }
        }
        scan(*db, keywords_);
    }
}

std::span<const uint32_t> PrefilterScratch::candidates(const EventFields& event,
                                                       const FieldTable& fields) {
    for (uint32_t s : hit_list_) hit_[s] = 0;
    hit_list_.clear();
    list_.assign(prefilter_.always().begin(), prefilter_.always().end());
    keywords_.clear();
    for (bool gated : {false, true}) {  // the gates open in the first pass
        scan_fields(event, fields, gated);
        scan_keywords(event, gated);
    }
    for (uint32_t s : hit_list_) {
        for (uint32_t r : prefilter_.rules_led_by(s)) {
            if (all_hit(prefilter_.other_sets(r))) list_.push_back(r);
        }
    }
    if (scan_failed_) {  // never lose a match to a failed scan: evaluate every rule
        scan_failed_ = false;
        list_.assign(prefilter_.all_rules().begin(), prefilter_.all_rules().end());
        return list_;
    }
    std::sort(list_.begin(), list_.end());
    return list_;
}

}  // namespace vigie
