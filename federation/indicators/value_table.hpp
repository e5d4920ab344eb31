// SPDX-License-Identifier: EUPL-1.2
#pragma once
// An open-addressing hash table from (observable key, value bytes) to indicator slots,
// built once and read by every worker without locks. Values live in one string pool and
// entries are 16 bytes, so a million indicators cost tens of megabytes, not the hundreds
// a node-based map would; a lookup allocates nothing.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigie {

class ValueTable {
  public:
    // Adds an entry; call build() after the last one.
    void add(uint32_t key, std::string_view value, uint32_t slot);
    void build();

    // Calls `hit(slot)` for every entry with exactly this key and value.
    template <class Hit>
    void find(uint32_t key, std::string_view value, Hit&& hit) const {
        if (table_.empty()) return;
        const uint64_t h = hash(key, value);
        if (!may_contain(h)) return;
        for (size_t i = h & mask_;; i = (i + 1) & mask_) {
            const Entry& e = table_[i];
            if (e.term == kEmpty) return;
            if (e.hash == h && matches(terms_[e.term], key, value)) hit(terms_[e.term].slot);
        }
    }

    [[nodiscard]] size_t size() const { return terms_.size(); }
    [[nodiscard]] size_t memory_bytes() const;

  private:
    static constexpr uint32_t kEmpty = UINT32_MAX;
    struct Term {
        uint32_t key;
        uint32_t slot;
        uint32_t offset;  // in pool_
        uint32_t length;
    };
    struct Entry {
        uint64_t hash = 0;
        uint32_t term = kEmpty;
    };

    static uint64_t hash(uint32_t key, std::string_view value);
    // A Bloom filter (two bits per value, 16 bits per value in all) in front of the table:
    // most event values are in no indicator, and the filter (2 MiB for a million values,
    // cache-resident) answers them without the table's cache miss.
    [[nodiscard]] bool may_contain(uint64_t h) const {
        const uint64_t a = (h >> 32) & bloom_mask_;
        const uint64_t b = ((h >> 32) * 0x9e3779b97f4a7c15ULL >> 20) & bloom_mask_;
        return (bloom_[a >> 6] >> (a & 63) & 1) != 0 && (bloom_[b >> 6] >> (b & 63) & 1) != 0;
    }
    [[nodiscard]] bool matches(const Term& t, uint32_t key, std::string_view value) const {
        return t.key == key && t.length == value.size() &&
               std::string_view(pool_).substr(t.offset, t.length) == value;
    }

    std::vector<Term> terms_;
    std::vector<uint64_t> hashes_;  // of terms_, until build()
    std::string pool_;
    std::vector<Entry> table_;
    size_t mask_ = 0;
    std::vector<uint64_t> bloom_;
    uint64_t bloom_mask_ = 0;  // bits - 1
};

}  // namespace vigie
