// SPDX-License-Identifier: EUPL-1.2
#include "federation/indicators/value_table.hpp"

#include <stdexcept>

namespace vigie {

uint64_t ValueTable::hash(uint32_t key, std::string_view value) {
    // FNV-1a over the key then the bytes, finished with a 64-bit mixer (splitmix) so that
    // the low bits used for the slot are well spread even for similar values.
    uint64_t h = 1469598103934665603ULL ^ key;
    for (unsigned char c : value) h = (h ^ c) * 1099511628211ULL;
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    return h ^ (h >> 31);
}

void ValueTable::add(uint32_t key, std::string_view value, uint32_t slot) {
    if (pool_.size() + value.size() > UINT32_MAX)
        throw std::length_error("indicator values over 4 GiB");
    terms_.push_back(
        {key, slot, static_cast<uint32_t>(pool_.size()), static_cast<uint32_t>(value.size())});
    hashes_.push_back(hash(key, value));
    pool_.append(value);
}

void ValueTable::build() {
    size_t capacity = 16;
    while (capacity < terms_.size() * 2) capacity <<= 1;  // load factor <= 0.5
    table_.assign(capacity, Entry{});
    mask_ = capacity - 1;
    size_t bits = 1024;
    while (bits < terms_.size() * 16) bits <<= 1;
    bloom_.assign(bits / 64, 0);
    bloom_mask_ = bits - 1;
    for (const uint64_t h : hashes_) {
        const uint64_t a = (h >> 32) & bloom_mask_;
        const uint64_t b = ((h >> 32) * 0x9e3779b97f4a7c15ULL >> 20) & bloom_mask_;
        bloom_[a >> 6] |= uint64_t{1} << (a & 63);
        bloom_[b >> 6] |= uint64_t{1} << (b & 63);
    }
    for (uint32_t t = 0; t < terms_.size(); ++t) {
        size_t i = hashes_[t] & mask_;
        while (table_[i].term != kEmpty) i = (i + 1) & mask_;
        table_[i] = {hashes_[t], t};
    }
    hashes_.clear();
    hashes_.shrink_to_fit();
    pool_.shrink_to_fit();
    terms_.shrink_to_fit();
}

size_t ValueTable::memory_bytes() const {
    return terms_.capacity() * sizeof(Term) + pool_.capacity() + table_.capacity() * sizeof(Entry) +
           bloom_.capacity() * sizeof(uint64_t);
}

}  // namespace vigie
