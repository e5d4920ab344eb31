// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A batch of whole documents cut from one input: the bytes (padded for simdjson), where
// each document lies, and the problems the reader found between them, in input order.
// Batches are the unit the scan pipeline hands between threads; they are reused, so
// their buffers are allocated once.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace vigie {

struct RawDocument {
    const char* data = nullptr;
    size_t size = 0;
    size_t capacity = 0;  // readable bytes from `data`, padding included
    uint64_t line = 0;    // 1-based
    uint64_t index = 0;   // 0-based ordinal among the input's documents
};

struct InputProblem {
    uint64_t line = 0;
    uint64_t index = 0;
    std::string message;
};

class DocumentBatch {
  public:
    struct Span {
        size_t offset = 0;
        size_t size = 0;
        uint64_t line = 0;
        uint64_t index = 0;
    };
    struct Problem {
        InputProblem problem;
        size_t before = 0;  // number of this batch's documents that precede it
    };

    [[nodiscard]] size_t document_count() const { return documents_.size(); }
    [[nodiscard]] RawDocument document(size_t i) const {
        const Span& s = documents_[i];
        return {bytes_.get() + s.offset, s.size, length_ + padding_ - s.offset, s.line, s.index};
    }
    [[nodiscard]] const std::vector<Problem>& problems() const { return problems_; }
    [[nodiscard]] bool empty() const { return documents_.empty() && problems_.empty(); }
    // Lines are the units of acceptance (NDJSON, concatenated JSON): a line holds no
    // problem and, when it holds several documents, they are accepted or rejected together.
    // False in a top-level JSON array, whose elements are the units.
    [[nodiscard]] bool whole_lines() const { return whole_lines_; }
    void clear() {
        documents_.clear();
        problems_.clear();
        length_ = 0;
        input_bytes_ = 0;
    }
    // Bytes this batch consumed from its input (for progress), not its buffer length.
    [[nodiscard]] uint64_t input_bytes() const { return input_bytes_; }

  private:
    friend class InputReader;

    std::unique_ptr<char[]> bytes_;
    size_t capacity_ = 0;  // usable bytes, padding excluded
    size_t padding_ = 0;
    size_t length_ = 0;
    uint64_t input_bytes_ = 0;
    bool whole_lines_ = true;
    std::vector<Span> documents_;
    std::vector<Problem> problems_;
};

}  // namespace vigie
