// SPDX-License-Identifier: EUPL-1.2
#include "detector/key_index.hpp"

namespace vigie {

void KeyIndex::place(const Slot& slot) {
    for (size_t i = slot.hash & mask_;; i = (i + 1) & mask_) {
        if (slots_[i].child == kMissing) {
            slots_[i] = slot;
            return;
        }
    }
}

void KeyIndex::insert(uint32_t parent, std::string_view key, uint32_t child) {
    if (2 * (size_ + 1) > slots_.size()) {  // at most half full: probes stay short
        std::vector<Slot> old = std::move(slots_);
        slots_.assign(old.empty() ? 64 : 2 * old.size(), Slot{});
        mask_ = slots_.size() - 1;
        for (const Slot& s : old) {
            if (s.child != kMissing) place(s);
        }
    }
    Slot slot{hash(parent, key), parent, child, static_cast<uint32_t>(keys_.size()),
              static_cast<uint32_t>(key.size())};
    keys_.append(key);
    place(slot);
    ++size_;
}

}  // namespace vigie
