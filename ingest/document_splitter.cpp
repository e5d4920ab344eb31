// SPDX-License-Identifier: EUPL-1.2
#include "ingest/document_splitter.hpp"

#include <cstring>

#include "ingest/compact_document.hpp"
#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace vigie {

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}
bool ends_scalar(char c) {
    return is_space(c) || c == ',' || c == ']' || c == '}' || c == '[' || c == '{';
}

// The first '"', '\\' or newline at or after `pos`, or `size`.
size_t find_string_stop(const char* data, size_t pos, size_t size) {
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i newline = _mm_set1_epi8('\n');
    while (pos + 16 <= size) {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + pos));
        __m128i hit =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                         _mm_cmpeq_epi8(v, newline));
        if (int mask = _mm_movemask_epi8(hit); mask != 0)
            return pos + static_cast<size_t>(__builtin_ctz(mask));
        pos += 16;
    }
#endif
    while (pos < size && data[pos] != '"' && data[pos] != '\\' && data[pos] != '\n') ++pos;
    return pos;
}

}  // namespace

// A compact document (NDJSON: no whitespace after its opening brace) that has not
// closed when a line starting with '{' begins was cut short: it is reported as
// truncated and splitting resumes at that line, so that one broken line never
// swallows the good ones after it. Pretty-printed documents are left alone.
bool DocumentSplitter::resync(const char* data, size_t size, size_t newline, Result& out) {
    if (!compact_ || newline + 1 >= size || data[newline + 1] != '{') return false;
    out = {Event::Truncated, doc_start_, newline, doc_line_, 0};
    in_doc_ = false;
    in_string_ = false;
    escape_ = false;
    return true;
}

// The common case, an NDJSON line that is one object, checked in one vectorized pass.
bool DocumentSplitter::whole_line_document(const char* data, size_t size, size_t& pos,
                                           Result& out) const {
    const size_t end = compact_document_end(data, pos, size);
    if (end == 0) return false;
    out = {Event::Document, pos, end, line_, 0};
    pos = end;
    return true;
}

DocumentSplitter::Result DocumentSplitter::next(const char* data, size_t size, size_t& pos) {
    while (pos < size) {
        if (!in_doc_) {
            char c = data[pos];
            if (is_space(c)) {
                if (c == '\n') ++line_;
                ++pos;
                continue;
            }
            if (!seen_anything_ && c == '[') {  // the input is one JSON array of documents
                seen_anything_ = top_array_ = true;
                ++pos;
                continue;
            }
            seen_anything_ = true;
            if (top_array_ && (c == ',' || c == ']')) {
                ++pos;
                continue;
            }
            if (c == '}' || c == ']' || c == ',' || c == ':') {
                Result r{Event::Unexpected, pos, pos + 1, line_, c};
                ++pos;
                return r;
            }
            if (Result r; c == '{' && !top_array_ && whole_line_document(data, size, pos, r))
                return r;
            in_doc_ = true;
            doc_start_ = pos;
            doc_line_ = line_;
            depth_ = 0;
            scalar_ = c != '{' && c != '[';
            compact_ = false;
            compact_known_ = c != '{';
            in_string_ = false;
            escape_ = false;
            if (scalar_ && c == '"') {
                in_string_ = true;
                ++pos;
            }
        }
        // Inside a document.
        if (scalar_ && !in_string_) {
            while (pos < size && !ends_scalar(data[pos])) ++pos;
            if (pos == size) return {};
            in_doc_ = false;
            return {Event::NotAnObject, doc_start_, pos, doc_line_, 0};
        }
        while (pos < size) {
            char c = data[pos];
            if (in_string_) {
                if (escape_) {
                    escape_ = false;
                    ++pos;
                    continue;
                }
                // Jump to the end of the string: strings are most of the bytes.
                pos = find_string_stop(data, pos, size);
                if (pos == size) return {};
                if (data[pos] == '\\') {
                    escape_ = true;
                } else if (data[pos] == '\n') {  // invalid in a string: a broken document
                    if (Result r; resync(data, size, pos, r)) return r;
                    if (pos + 1 == size) return {};
                    ++line_;
                } else {
                    in_string_ = false;
                    if (scalar_) {
                        ++pos;
                        in_doc_ = false;
                        return {Event::NotAnObject, doc_start_, pos, doc_line_, 0};
                    }
                }
                ++pos;
                continue;
            }
            if (!compact_known_ && pos > doc_start_) {  // the byte after the opening brace
                compact_known_ = true;
                compact_ = !is_space(c);
            }
            if (c == '\n') {
                if (Result r; resync(data, size, pos, r)) return r;
                if (pos + 1 == size) return {};
            }
            ++pos;
            switch (c) {
                case '"':
                    in_string_ = true;
                    break;
                case '{':
                case '[':
                    ++depth_;
                    break;
                case '}':
                case ']':
                    if (--depth_ == 0) {
                        in_doc_ = false;
                        return {data[doc_start_] == '{' ? Event::Document : Event::NotAnObject,
                                doc_start_, pos, doc_line_, 0};
                    }
                    break;
                case '\n':
                    ++line_;
                    break;
                default:
                    break;
            }
        }
    }
    return {};
}

}  // namespace vigie
