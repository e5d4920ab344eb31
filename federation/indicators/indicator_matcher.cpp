// SPDX-License-Identifier: EUPL-1.2
#include "federation/indicators/indicator_matcher.hpp"

#include <algorithm>
#include <stdexcept>

#include "federation/stix/tlp.hpp"

namespace vigie {

IndicatorMatcher::IndicatorMatcher(const IndicatorCatalog& catalog, const Ruleset& ruleset)
    : catalog_(catalog), table_(ruleset.fields()) {
    std::string key;
    for (const auto& o : ruleset.observable_fields()) {
        const bool hash_list = o.stix_path == "file:hashes";
        canonical_key(o.stix_path, key);
        fields_.push_back({o.field, o.name, key,
                           hash_list ? ValueKind::Hash : kind_of_path(o.stix_path), hash_list});
    }
    buffer_.reserve(256);
    hash_key_.reserve(32);
    refresh();
}

IndicatorMatcher::~IndicatorMatcher() {
    hs_free_scratch(scratch_);
}

void IndicatorMatcher::refresh() {
    auto set = catalog_.current();
    if (set == set_) return;
    set_ = std::move(set);
    for (const auto& segment : set_->segments) {
        for (hs_database_t* db : segment->databases()) {
            if (hs_alloc_scratch(db, &scratch_) != HS_SUCCESS)
                throw std::runtime_error("Hyperscan scratch for the indicator regexes");
        }
    }
}

void IndicatorMatcher::look_up(const Field& f, std::string_view key, ValueKind kind,
                               std::string_view value, int64_t now_us,
                               std::vector<IndicatorHit>& hits) {
    for (const auto& segment : set_->segments) {
        const IndicatorSegment* s = segment.get();
        s->find(key, kind, value, buffer_, scratch_, [&](uint32_t slot) {
            if (!s->live(slot, now_us)) return;
            const IndicatorView v = s->view(slot);
            // Each indicator once, by id, whichever segments hold it.
            const bool seen = std::any_of(hits.begin(), hits.end(), [&](const IndicatorHit& h) {
                return h.indicator.id == v.id;
            });
            if (seen) return;
            hits.push_back(
                {f.name, value,
                 AlertIndicator{v.id, v.name, stix::tlp_name(v.tlp), v.source, v.confidence}});
        });
    }
}

// Sysmon's Hashes: "SHA1=...,MD5=...,SHA256=...,IMPHASH=..."; algorithms STIX has no
// name for (IMPHASH) are skipped.
void IndicatorMatcher::look_up_hash_list(const Field& f, std::string_view list, int64_t now_us,
                                         std::vector<IndicatorHit>& hits) {
    while (!list.empty()) {
        const size_t comma = list.find(',');
        std::string_view part = list.substr(0, comma);
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
        const size_t eq = part.find('=');
        if (eq == std::string_view::npos) continue;
        auto algorithm = stix_hash_name(part.substr(0, eq));
        if (!algorithm) continue;
        hash_key_.assign("file:hashes.");
        hash_key_.append(*algorithm);
        look_up(f, hash_key_, ValueKind::Hash, part.substr(eq + 1), now_us, hits);
    }
}

void IndicatorMatcher::match(const EventFields& event, int64_t now_us,
                             std::vector<IndicatorHit>& hits) {
    hits.clear();
    for (const Field& f : fields_) {
        const FieldView view = event.resolve(table_, f.field);
        for (const FieldValue& v : view.values) {
            if (v.type != ValueType::String) continue;
            if (f.hash_list) {
                look_up_hash_list(f, v.text, now_us, hits);
            } else {
                look_up(f, f.key, f.kind, v.text, now_us, hits);
            }
        }
    }
}

}  // namespace vigie
