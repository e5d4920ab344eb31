// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Finds where each JSON document starts and ends in a stream of whitespace-separated
// documents (NDJSON, or pretty-printed documents one after another) or a JSON array of
// documents, without parsing them: simdjson then parses each one on its own, so that a
// bad document never hides its neighbours. Incremental: feed it the input in chunks.
#include <cstddef>
#include <cstdint>
#include <string>

namespace vigie {

class DocumentSplitter {
  public:
    enum class Event : uint8_t {
        NeedMore,     // the buffer ends inside a document or between documents
        Document,     // [start, end) is one complete document
        NotAnObject,  // [start, end) is a complete value that is not an object
        Unexpected,   // a byte that cannot start a document; skipped
        Truncated,    // [start, end) is an NDJSON line that ends before its document does
    };
    struct Result {
        Event event = Event::NeedMore;
        size_t start = 0;  // offsets in the buffer passed to next()
        size_t end = 0;
        uint64_t line = 0;  // 1-based line where the document starts
        char byte = 0;      // Unexpected: the byte
    };

    // Scans data[pos, size) for the next item; `pos` advances past what was consumed.
    // When NeedMore is returned, keep data[resume_offset(), size) and call again with
    // more bytes appended (offsets relative to the new buffer).
    Result next(const char* data, size_t size, size_t& pos);
    // Where the current unfinished document starts (or `pos` when between documents).
    [[nodiscard]] size_t resume_offset(size_t pos) const { return in_doc_ ? doc_start_ : pos; }
    // Offsets shift when the caller drops the consumed prefix of its buffer.
    void rebase(size_t dropped) { doc_start_ -= in_doc_ ? dropped : 0; }
    // At end of input: true when a document was left unfinished (truncated).
    [[nodiscard]] bool in_document() const { return in_doc_; }
    // At end of input: a bare scalar (`7`) needs no closing byte, so it is complete.
    [[nodiscard]] bool scalar_complete() const { return in_doc_ && scalar_ && !in_string_; }
    [[nodiscard]] uint64_t document_line() const { return doc_line_; }
    [[nodiscard]] uint64_t line() const { return line_; }
    // The input is one JSON array of documents (its elements, not its lines, are the units).
    [[nodiscard]] bool in_array() const { return top_array_; }
    // Skips the rest of the current document without keeping it (over the size limit):
    // the caller may drop the bytes, the splitter still tracks where it ends.
    void forget_start() { doc_start_ = 0; }

  private:
    bool resync(const char* data, size_t size, size_t newline, Result& out);
    bool whole_line_document(const char* data, size_t size, size_t& pos, Result& out) const;

    uint64_t line_ = 1;
    bool in_doc_ = false;
    bool in_string_ = false;
    bool escape_ = false;
    bool scalar_ = false;   // the current document is a bare scalar
    bool compact_ = false;  // no whitespace after the opening brace (an NDJSON line)
    bool compact_known_ = false;
    bool top_array_ = false;
    bool seen_anything_ = false;
    uint64_t depth_ = 0;  // 64 bits: no input is long enough to wrap it
    size_t doc_start_ = 0;
    uint64_t doc_line_ = 0;
};

}  // namespace vigie
