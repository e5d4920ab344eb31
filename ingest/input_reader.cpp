#include "ingest/input_reader.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "ingest/json_padding.hpp"

namespace vigie {

InputReader::InputReader(int fd, size_t max_event_bytes, size_t chunk_bytes)
    : fd_(fd), max_event_bytes_(max_event_bytes), capacity_(chunk_bytes + max_event_bytes) {}

InputReader::InputReader(std::string_view memory, size_t max_event_bytes)
    : fd_(-1),
      memory_(memory),
      max_event_bytes_(max_event_bytes),
      capacity_(memory.size() + max_event_bytes) {}

long InputReader::read_some(char* out, size_t size) {
    if (fd_ >= 0) return ::read(fd_, out, size);
    size_t n = std::min(size, memory_.size());
    std::memcpy(out, memory_.data(), n);
    memory_.remove_prefix(n);
    return static_cast<long>(n);
}

InputReader::~InputReader() {
    if (fd_ > 0) ::close(fd_);
}

void InputReader::report(DocumentBatch& batch, uint64_t line, std::string message) {
    batch.problems_.push_back({{line, next_index_++, std::move(message)}, batch.documents_.size()});
}

void InputReader::deliver(const DocumentSplitter::Result& r, DocumentBatch& batch) {
    using E = DocumentSplitter::Event;
    if (r.event == E::Unexpected) {
        batch.problems_.push_back(
            {{r.line, next_index_, std::string("unexpected '") + r.byte + "' between documents"},
             batch.documents_.size()});
        return;
    }
    if (skipping_) {  // the end of an oversized document, already reported
        skipping_ = false;
        return;
    }
    size_t size = r.end - r.start;
    if (size > max_event_bytes_) {
        report(batch, r.line,
               "document of " + std::to_string(size) + " bytes is over the limit of " +
                   std::to_string(max_event_bytes_) + " bytes (--max-event-bytes)");
        return;
    }
    if (r.event == E::NotAnObject) {
        report(batch, r.line, "document is not a JSON object");
        return;
    }
    if (r.event == E::Truncated) {
        report(batch, r.line,
               "truncated document: the next line starts a new document before it ends");
        return;
    }
    batch.documents_.push_back({r.start, size, r.line, next_index_++});
}

void InputReader::prepare(DocumentBatch& batch) {
    if (batch.capacity_ <
        capacity_) {  // grows only: workers reuse one batch for bodies of any size
        batch.bytes_.reset(new char[capacity_ + kJsonPadding]);
        batch.capacity_ = capacity_;
        batch.padding_ = kJsonPadding;
    }
    batch.clear();
    std::memcpy(batch.bytes_.get(), carry_.data(), carry_.size());
    batch.length_ = carry_.size();
    carry_.clear();
}

// Runs the splitter over the new bytes and checks the size of an unfinished document.
void InputReader::split(DocumentBatch& batch, size_t& pos) {
    for (;;) {
        auto r = splitter_.next(batch.bytes_.get(), batch.length_, pos);
        if (r.event == DocumentSplitter::Event::NeedMore) break;
        deliver(r, batch);
    }
    if (!skipping_ && splitter_.in_document() &&
        batch.length_ - splitter_.resume_offset(pos) > max_event_bytes_) {
        report(batch, splitter_.document_line(),
               "document is over the limit of " + std::to_string(max_event_bytes_) +
                   " bytes (--max-event-bytes)");
        skipping_ = true;
    }
}

void InputReader::finish(DocumentBatch& batch, size_t pos) {
    finished_ = true;
    if (splitter_.scalar_complete()) {
        deliver({DocumentSplitter::Event::NotAnObject, splitter_.resume_offset(pos), batch.length_,
                 splitter_.document_line(), 0},
                batch);
    } else if (splitter_.in_document() && !skipping_) {
        report(batch, splitter_.document_line(), "truncated document: the input ends inside it");
    }
}

InputReader::Status InputReader::next_batch(DocumentBatch& batch) {
    if (finished_) return Status::End;
    prepare(batch);
    size_t pos = batch.length_;  // the carried bytes were scanned already
    char* bytes = batch.bytes_.get();
    while (!eof_) {
        ssize_t n = 0;
        do {
            n = read_some(bytes + batch.length_, capacity_ - batch.length_);
        } while (n < 0 && errno == EINTR);
        if (n < 0) {
            error_ = std::strerror(errno);
            finished_ = true;
            return Status::Error;
        }
        eof_ = n == 0;
        batch.length_ += static_cast<size_t>(n);
        batch.input_bytes_ += static_cast<uint64_t>(n);
        std::memset(bytes + batch.length_, ' ', kJsonPadding);
        split(batch, pos);
        if (!batch.empty()) break;
        // Nothing complete yet (a large document, or whitespace): keep only what is
        // unfinished and read on.
        size_t keep = skipping_ ? batch.length_ : splitter_.resume_offset(pos);
        if (skipping_) splitter_.forget_start();
        std::memmove(bytes, bytes + keep, batch.length_ - keep);
        splitter_.rebase(skipping_ ? 0 : keep);
        batch.length_ -= keep;
        pos -= keep;
    }
    if (eof_) {
        finish(batch, pos);
    } else if (skipping_) {
        splitter_.forget_start();
    } else {
        size_t keep = splitter_.resume_offset(pos);
        carry_.assign(bytes + keep, batch.length_ - keep);
        splitter_.rebase(keep);
    }
    return batch.empty() ? Status::End : Status::Batch;
}

bool InputReader::read_all(InputSink& sink) {
    DocumentBatch batch;
    for (;;) {
        Status s = next_batch(batch);
        if (s != Status::Batch) return s == Status::End;
        size_t problem = 0;
        const auto& problems = batch.problems();
        for (size_t d = 0; d <= batch.document_count(); ++d) {
            while (problem < problems.size() && problems[problem].before == d)
                sink.on_problem(problems[problem++].problem);
            if (d < batch.document_count()) sink.on_document(batch.document(d));
        }
    }
}

}  // namespace vigie
