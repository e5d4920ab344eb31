#pragma once
// Reads one input (a file or stdin) in large chunks and hands out its documents, each
// with its line and ordinal, and every problem (truncated, oversized, not an object)
// as a located value. Memory is bounded by the chunk size plus the event size limit.
#include <cstdint>
#include <memory>
#include <string>

#include "ingest/document_splitter.hpp"

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
    ~InputReader();
    InputReader(const InputReader&) = delete;
    InputReader& operator=(const InputReader&) = delete;

    // Reads to the end. False on an I/O error (see error()); documents before it were
    // delivered.
    bool read_all(InputSink& sink);
    [[nodiscard]] const std::string& error() const { return error_; }

private:
    void deliver(const DocumentSplitter::Result& r, InputSink& sink);
    void report(InputSink& sink, uint64_t line, std::string message);

    int fd_;
    size_t max_event_bytes_;
    size_t capacity_;
    std::unique_ptr<char[]> buffer_;
    size_t length_ = 0;
    DocumentSplitter splitter_;
    uint64_t next_index_ = 0;
    bool skipping_ = false;  // inside a document already reported as oversized
    std::string error_;
};

}  // namespace vigie
