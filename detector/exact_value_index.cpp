// SPDX-License-Identifier: EUPL-1.2
#include "detector/exact_value_index.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace vigie {

ExactValueIndex::ExactValueIndex(const std::vector<Entry>& entries) {
    std::map<std::pair<uint32_t, std::string>, std::vector<uint32_t>> merged;
    for (const Entry& e : entries) {
        auto& sets =
            merged[{e.caseless ? kCaseless : kCased, e.caseless ? fold_ascii(e.value) : e.value}];
        sets.insert(sets.end(), e.sets.begin(), e.sets.end());
        (e.caseless ? has_caseless_ : has_cased_) = true;
    }
    for (auto& [key, sets] : merged) {
        std::sort(sets.begin(), sets.end());
        sets.erase(std::unique(sets.begin(), sets.end()), sets.end());
        keys_.insert(key.first, key.second, static_cast<uint32_t>(offsets_.size() - 1));
        sets_.insert(sets_.end(), sets.begin(), sets.end());
        offsets_.push_back(static_cast<uint32_t>(sets_.size()));
    }
}

}  // namespace vigie
