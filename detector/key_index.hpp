// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The children of every path-trie node in one open-addressing table keyed by (parent
// node, key): the event reader looks up each JSON key of each event here, so a lookup is
// one hash of the key's bytes and, almost always, one probe. Keys are copied in.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace vigie {

class KeyIndex {
  public:
    static constexpr uint32_t kMissing = UINT32_MAX;

    void insert(uint32_t parent, std::string_view key, uint32_t child);
    [[nodiscard]] uint32_t find(uint32_t parent, std::string_view key) const {
        if (slots_.empty()) return kMissing;
        const uint64_t h = hash(parent, key);
        for (size_t i = h & mask_;; i = (i + 1) & mask_) {
            const Slot& s = slots_[i];
            if (s.child == kMissing) return kMissing;
            if (s.hash == h && s.parent == parent && s.key_size == key.size() &&
                std::memcmp(keys_.data() + s.key_offset, key.data(), key.size()) == 0)
                return s.child;
        }
    }

  private:
    struct Slot {
        uint64_t hash = 0;
        uint32_t parent = 0;
        uint32_t child = kMissing;
        uint32_t key_offset = 0;
        uint32_t key_size = 0;
    };

    // Eight bytes at a time with a multiply-xorshift mix (JSON keys are short).
    static uint64_t hash(uint32_t parent, std::string_view key) {
        uint64_t h = 0x9E3779B97F4A7C15ULL ^ (uint64_t{parent} << 32U) ^ key.size();
        size_t i = 0;
        for (; i + 8 <= key.size(); i += 8) {
            uint64_t w = 0;
            std::memcpy(&w, key.data() + i, 8);
            h = (h ^ w) * 0xBF58476D1CE4E5B9ULL;
            h ^= h >> 31U;
        }
        // The tail byte by byte: a variable-length memcpy is a library call.
        uint64_t w = 0;
        for (size_t j = i; j < key.size(); ++j)
            w |= uint64_t{static_cast<unsigned char>(key[j])} << (8U * (j - i));
        h = (h ^ w) * 0x94D049BB133111EBULL;
        return h ^ (h >> 29U);
    }
    void place(const Slot& slot);

    std::vector<Slot> slots_;
    size_t mask_ = 0;
    size_t size_ = 0;
    std::string keys_;
};

}  // namespace vigie
