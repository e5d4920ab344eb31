// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Reads one input (a file or stdin) in large chunks and cuts it into batches of whole
// documents, each with its line and ordinal, and every problem (truncated, oversized,
// not an object) as a located value. A document cut by a chunk boundary is carried into
// the next batch, so memory is bounded by the batch size plus the event size limit.
// A UTF-8 byte order mark at the start of the input is skipped (editors on Windows write
// one); anywhere else it is an unexpected byte like any other.
//
// A line is accepted or rejected whole, never both: a problem on a line takes the line's
// documents with it, and the documents of a line that has not ended when a batch is full
// wait (in the carried bytes) until it has, or until it proves longer than the event size
// limit (concatenated JSON without line breaks: then its documents are judged one by one).
// In a top-level JSON array, each element is judged by itself.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "ingest/document_batch.hpp"
#include "ingest/document_splitter.hpp"

namespace vigie {

// Receives an input's documents and problems one at a time, in input order.
class InputSink {
  public:
    virtual ~InputSink() = default;
    virtual void on_document(const RawDocument& doc) = 0;
    virtual void on_problem(const InputProblem& problem) = 0;
};

class InputReader {
  public:
    static constexpr size_t kChunkBytes = 4 << 20;

    // Takes ownership of `fd` unless it is 0 (stdin). Documents may span reads of
    // `chunk_bytes`; tests use small chunks to exercise that.
    InputReader(int fd, size_t max_event_bytes, size_t chunk_bytes = kChunkBytes);
    // Reads `memory` (which must outlive the reader), all of it in one batch: a request
    // body in vigie serve.
    InputReader(std::string_view memory, size_t max_event_bytes);
    ~InputReader();
    InputReader(const InputReader&) = delete;
    InputReader& operator=(const InputReader&) = delete;

    enum class Next : uint8_t { Batch, End };
    // Refills `batch` (its buffer is allocated on first use and then reused) with the
    // next documents and problems. Batch: at least one of either; End: the input is
    // exhausted; an Error (strerror's words) on an I/O error, after which it is End.
    Result<Next> next_batch(DocumentBatch& batch);
    // Whether next_batch() filled a batch (neither the end nor an error).
    static bool filled(const Result<Next>& next) { return next && *next == Next::Batch; }

    // Reads to the end, one document or problem at a time. An error on an I/O error;
    // everything before it was delivered.
    Status read_all(InputSink& sink);

  private:
    void prepare(DocumentBatch& batch);
    void split(DocumentBatch& batch, size_t& pos);
    void deliver(const DocumentSplitter::Result& r, DocumentBatch& batch);
    void report(DocumentBatch& batch, uint64_t line, std::string message);
    void reject_line(DocumentBatch& batch, uint64_t line, size_t index, std::string message);
    void hold_open_line(DocumentBatch& batch);
    void release_held(DocumentBatch& batch);
    void drop_prefix(DocumentBatch& batch, size_t& pos, size_t keep);
    void finish(DocumentBatch& batch, size_t pos);
    long read_some(char* out, size_t size);
    bool awaiting_byte_order_mark(DocumentBatch& batch);

    int fd_;
    std::string_view memory_;  // the input when fd_ < 0
    size_t max_event_bytes_;
    size_t capacity_;
    std::string carry_;  // the start of a document that the last batch cut
    DocumentSplitter splitter_;
    uint64_t next_index_ = 0;
    bool skipping_ = false;  // inside a document already reported as oversized
    // Documents of the line the last batch ended in, carried at the start of the next one.
    std::vector<DocumentBatch::Span> held_;
    uint64_t rejected_line_ = 0;  // the last line with a problem (0: none)
    bool eof_ = false;
    bool finished_ = false;
    bool start_checked_ = false;  // the byte order mark, if any, is behind us
};

}  // namespace vigie
