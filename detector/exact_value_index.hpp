// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The prefilter's whole-value literals of one field (Sigma equality, and the logsource's
// EventID / Channel / Provider tests), looked up by hash instead of scanned for: for
// header fields every pattern is of this kind, and a lookup costs a fraction of a
// Hyperscan call. Caseless values are stored ASCII-folded, as GlobMatcher compares them.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "detector/glob_matcher.hpp"
#include "detector/key_index.hpp"

namespace vigie {

class ExactValueIndex {
  public:
    struct Entry {
        std::string value;
        bool caseless = true;
        std::vector<uint32_t> sets;  // the trigger sets the value marks
    };
    ExactValueIndex() = default;
    // Values equal after folding share one entry.
    explicit ExactValueIndex(const std::vector<Entry>& entries);

    [[nodiscard]] bool empty() const { return offsets_.size() == 1; }
    [[nodiscard]] size_t size() const { return offsets_.size() - 1; }

    // Calls on_set(set) for every set of every stored value equal to `value`; `fold` is
    // the caller's scratch for the folded copy.
    template <class OnSet>
    void find(std::string_view value, std::string& fold, OnSet&& on_set) const {
        if (has_cased_) visit(keys_.find(kCased, value), on_set);
        if (has_caseless_) {
            fold.assign(value);
            for (char& c : fold) c = fold_ascii(c);
            visit(keys_.find(kCaseless, fold), on_set);
        }
    }

  private:
    static constexpr uint32_t kCaseless = 0;
    static constexpr uint32_t kCased = 1;

    template <class OnSet>
    void visit(uint32_t entry, OnSet& on_set) const {
        if (entry == KeyIndex::kMissing) return;
        for (uint32_t i = offsets_[entry]; i < offsets_[entry + 1]; ++i) on_set(sets_[i]);
    }

    KeyIndex keys_;                     // (kind, value) -> entry
    std::vector<uint32_t> offsets_{0};  // entry -> [offsets_[e], offsets_[e + 1]) in sets_
    std::vector<uint32_t> sets_;
    bool has_cased_ = false;
    bool has_caseless_ = false;
};

}  // namespace vigie
