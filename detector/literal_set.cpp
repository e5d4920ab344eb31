// SPDX-License-Identifier: EUPL-1.2
#include "detector/literal_set.hpp"

#include <stdexcept>
#include <string>

namespace vigie {

LiteralSet::LiteralSet(const std::vector<const GlobMatcher*>& matchers, const DatabaseCache& cache,
                       Diagnostics& diags) {
    PatternList list;
    list.literal = true;
    auto& [literal, expressions, lengths, flags, ids] = list;
    for (const GlobMatcher* m : matchers) {
        using Shape = GlobMatcher::Shape;
        const Shape shape = m->shape();
        uint8_t anchors = 0;
        if (shape == Shape::Exact || shape == Shape::Prefix) anchors |= kStart;
        if (shape == Shape::Exact || shape == Shape::Suffix) anchors |= kEnd;
        ids.push_back(static_cast<unsigned>(patterns_.size()));
        patterns_.push_back({static_cast<uint32_t>(m->needle().size()), anchors});
        expressions.push_back(m->needle().c_str());
        lengths.push_back(m->needle().size());
        // An unanchored literal needs one report; an anchored one may occur elsewhere
        // first, so every occurrence is reported.
        flags.push_back((m->cased() ? 0U : HS_FLAG_CASELESS) |
                        (anchors == 0 ? HS_FLAG_SINGLEMATCH : 0U));
    }
    const DatabaseKey key = list.key();
    if ((db_ = cache.load(key)) != nullptr) return;
    hs_compile_error_t* err = nullptr;
    if (hs_compile_lit_multi(expressions.data(), flags.data(), ids.data(), lengths.data(),
                             static_cast<unsigned>(ids.size()), HS_MODE_BLOCK, nullptr, &db_,
                             &err) != HS_SUCCESS) {
        std::string msg = err != nullptr ? err->message : "unknown error";
        hs_free_compile_error(err);
        throw std::runtime_error("Hyperscan failed to compile a literal set: " + msg);
    }
    cache.store(key, db_, diags);
}

LiteralSet::~LiteralSet() {
    hs_free_database(db_);
}

void LiteralSet::grow_scratch(hs_scratch_t** scratch) const {
    if (hs_alloc_scratch(db_, scratch) != HS_SUCCESS)
        throw std::runtime_error("hs_alloc_scratch failed");
}

bool LiteralSet::matches(std::string_view text, hs_scratch_t* scratch) const {
    struct Context {
        const std::vector<Pattern>& patterns;
        unsigned long long size;
        bool found;
    } ctx{patterns_, text.size(), false};
    auto on_match = [](unsigned id, unsigned long long, unsigned long long to, unsigned,
                       void* p) -> int {
        auto* c = static_cast<Context*>(p);
        const Pattern& pat = c->patterns[id];
        if ((pat.anchors & kStart) != 0 && to != pat.length) return 0;
        if ((pat.anchors & kEnd) != 0 && to != c->size) return 0;
        c->found = true;
        return 1;  // one value is enough: stop the scan
    };
    hs_scan(db_, text.data(), static_cast<unsigned>(text.size()), 0, scratch, on_match, &ctx);
    return ctx.found;
}

}  // namespace vigie
