// SPDX-License-Identifier: EUPL-1.2
#include "ingest/compact_document.hpp"

#include <cstdint>
#include <cstring>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace vigie {

#ifdef __SSE2__

namespace {

// Bit i set where block[i] == c, for one 64-byte block.
uint64_t equal_mask(const __m128i (&v)[4], char c) {
    const __m128i needle = _mm_set1_epi8(c);
    uint64_t mask = 0;
    for (int i = 0; i < 4; ++i) {
        auto bits = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v[i], needle)));
        mask |= uint64_t{bits} << (16 * i);
    }
    return mask;
}

// Bit i set when an odd number of bits at or below i are set in `x`.
uint64_t prefix_xor(uint64_t x) {
    for (unsigned shift = 1; shift < 64; shift *= 2) x ^= x << shift;
    return x;
}

// The bytes escaped by a backslash (simdjson's find_escaped, branchless): a run of
// backslashes escapes the byte after it when the run has odd length.
uint64_t escaped_mask(uint64_t backslash, uint64_t& prev_escaped) {
    backslash &= ~prev_escaped;
    const uint64_t follows_escape = (backslash << 1U) | prev_escaped;
    constexpr uint64_t kEvenBits = 0x5555555555555555ULL;
    const uint64_t odd_starts = backslash & ~kEvenBits & ~follows_escape;
    uint64_t even_starts = 0;
    prev_escaped = __builtin_add_overflow(odd_starts, backslash, &even_starts) ? 1 : 0;
    const uint64_t invert = even_starts << 1U;
    return (kEvenBits ^ invert) & follows_escape;
}

// One past a document that ends at `end`, when only padding follows it up to a newline.
size_t line_ends_after(const char* data, size_t end, size_t size) {
    size_t k = end;
    while (k < size && (data[k] == ' ' || data[k] == '\t' || data[k] == '\r')) ++k;
    return k < size && data[k] == '\n' ? end : 0;
}

}  // namespace

size_t compact_document_end(const char* data, size_t start, size_t size) {
    uint64_t prev_escaped = 0;
    uint64_t prev_in_string = 0;  // all ones when the previous block ended in a string
    uint64_t depth = 0;
    for (size_t pos = start; pos < size; pos += 64) {
        alignas(16) char tail[64];
        const char* block = data + pos;
        if (size - pos < 64) {  // never read past the buffer: pad a copy with spaces
            std::memset(tail, ' ', sizeof tail);
            std::memcpy(tail, block, size - pos);
            block = tail;
        }
        __m128i v[4];
        for (size_t i = 0; i < 4; ++i)
            v[i] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 16 * i));
        const uint64_t newlines = equal_mask(v, '\n');
        // The bits of this block that are still on the line.
        const uint64_t line = newlines == 0 ? ~uint64_t{0} : (newlines & -newlines) - 1;
        const uint64_t escaped = escaped_mask(equal_mask(v, '\\'), prev_escaped);
        const uint64_t quotes = equal_mask(v, '"') & ~escaped;
        const uint64_t in_string = prefix_xor(quotes) ^ prev_in_string;
        prev_in_string = static_cast<uint64_t>(static_cast<int64_t>(in_string) >> 63);
        const uint64_t opens = (equal_mask(v, '{') | equal_mask(v, '[')) & ~in_string;
        const uint64_t closes = (equal_mask(v, '}') | equal_mask(v, ']')) & ~in_string;
        for (uint64_t brackets = (opens | closes) & line; brackets != 0; brackets &= brackets - 1) {
            const auto bit = static_cast<unsigned>(__builtin_ctzll(brackets));
            if ((opens >> bit) & 1U) {
                ++depth;
            } else if (depth == 0) {
                return 0;  // a closing bracket first: not an object
            } else if (--depth == 0) {
                return line_ends_after(data, pos + bit + 1, size);
            }
        }
        if (newlines != 0) return 0;  // the line ends before the object does
    }
    return 0;
}

#else

size_t compact_document_end(const char*, size_t, size_t) {
    return 0;  // no SIMD: the exact path does it all
}

#endif

}  // namespace vigie
