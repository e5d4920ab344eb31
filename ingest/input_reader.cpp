// SPDX-License-Identifier: EUPL-1.2
#include "ingest/input_reader.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "ingest/byte_order_mark.hpp"
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
    reject_line(batch, line, next_index_++, std::move(message));
}

// Records a problem on `line`. Lines being the units, the documents already cut from it go
// with it, and a second problem on it adds nothing (it is rejected once).
void InputReader::reject_line(DocumentBatch& batch, uint64_t line, size_t index,
                              std::string message) {
    release_held(batch);
    if (batch.whole_lines_) {
        if (line == rejected_line_) return;
        rejected_line_ = line;
        auto& docs = batch.documents_;
        if (!docs.empty() && docs.back().line == line) {
            while (!docs.empty() && docs.back().line == line) docs.pop_back();
            message += " (the line's other documents are rejected with it)";
        }
    }
    batch.problems_.push_back({{line, index, std::move(message)}, batch.documents_.size()});
}

namespace {

std::string not_an_object(const char* data, const DocumentSplitter::Result& r) {
    return data[r.start] == '\0' ? "NUL byte between documents" : "document is not a JSON object";
}

}  // namespace

void InputReader::deliver(const DocumentSplitter::Result& r, DocumentBatch& batch) {
    using E = DocumentSplitter::Event;
    release_held(batch);
    batch.whole_lines_ = !splitter_.in_array();
    if (r.event == E::Unexpected) {
        reject_line(batch, r.line, next_index_,
                    std::string("unexpected '") + r.byte + "' between documents");
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
        report(batch, r.line, not_an_object(batch.bytes_.get(), r));
        return;
    }
    if (r.event == E::Truncated) {
        report(batch, r.line,
               "truncated document: the next line starts a new document before it ends");
        return;
    }
    if (batch.whole_lines_ && r.line == rejected_line_) {  // its line was rejected already
        ++next_index_;
        return;
    }
    batch.documents_.push_back({r.start, size, r.line, next_index_++});
}

// The documents at the end of the batch that lie on the line the input stops in, or on
// the line where the document still open began, may yet share it with a problem: they
// wait, carried into the next batch, unless the line is longer than a document may be
// (its documents are then judged one by one).
void InputReader::hold_open_line(DocumentBatch& batch) {
    const uint64_t line = splitter_.in_document() ? splitter_.document_line() : splitter_.line();
    if (!held_.empty() &&
        (held_.front().line != line || batch.length_ - held_.front().offset > max_event_bytes_))
        release_held(batch);
    auto& docs = batch.documents_;
    if (!batch.whole_lines_ || skipping_ || docs.empty() || docs.back().line != line) return;
    size_t first = docs.size();
    while (first > 0 && docs[first - 1].line == line) --first;
    if (batch.length_ - docs[first].offset > max_event_bytes_) return;
    held_.insert(held_.end(), docs.begin() + static_cast<std::ptrdiff_t>(first), docs.end());
    docs.resize(first);
}

void InputReader::release_held(DocumentBatch& batch) {
    batch.documents_.insert(batch.documents_.end(), held_.begin(), held_.end());
    held_.clear();
}

// Drops data[0, keep) from the batch's buffer (keeping the held documents' bytes).
void InputReader::drop_prefix(DocumentBatch& batch, size_t& pos, size_t keep) {
    if (!held_.empty()) keep = std::min(keep, held_.front().offset);
    char* bytes = batch.bytes_.get();
    std::memmove(bytes, bytes + keep, batch.length_ - keep);
    splitter_.rebase(skipping_ ? 0 : keep);
    for (auto& span : held_) span.offset -= keep;
    batch.length_ -= keep;
    pos -= keep;
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
        batch.whole_lines_ = !splitter_.in_array();
        report(batch, splitter_.document_line(),
               "document is over the limit of " + std::to_string(max_event_bytes_) +
                   " bytes (--max-event-bytes)");
        skipping_ = true;
    }
}

void InputReader::finish(DocumentBatch& batch, size_t pos) {
    finished_ = true;
    release_held(batch);
    if (splitter_.scalar_complete()) {
        deliver({DocumentSplitter::Event::NotAnObject, splitter_.resume_offset(pos), batch.length_,
                 splitter_.document_line(), 0},
                batch);
    } else if (splitter_.in_document() && !skipping_) {
        report(batch, splitter_.document_line(), "truncated document: the input ends inside it");
    }
}

// True while the input's first bytes may still be the start of a byte order mark (a read
// of 1 or 2 bytes); once they are known, drops a whole mark from the batch.
bool InputReader::awaiting_byte_order_mark(DocumentBatch& batch) {
    if (start_checked_) return false;
    const std::string_view head(batch.bytes_.get(), batch.length_);
    if (!eof_ && head.size() < kByteOrderMark.size() && kByteOrderMark.starts_with(head))
        return true;
    start_checked_ = true;
    if (head.starts_with(kByteOrderMark)) {
        batch.length_ -= kByteOrderMark.size();
        std::memmove(batch.bytes_.get(), batch.bytes_.get() + kByteOrderMark.size(),
                     batch.length_ + kJsonPadding);
    }
    return false;
}

Result<InputReader::Next> InputReader::next_batch(DocumentBatch& batch) {
    if (finished_) return Next::End;
    prepare(batch);
    size_t pos = batch.length_;  // the carried bytes were scanned already
    char* bytes = batch.bytes_.get();
    while (!eof_) {
        ssize_t n = 0;
        do {
            n = read_some(bytes + batch.length_, capacity_ - batch.length_);
        } while (n < 0 && errno == EINTR);
        if (n < 0) {
            finished_ = true;
            return Error{std::strerror(errno)};
        }
        eof_ = n == 0;
        batch.length_ += static_cast<size_t>(n);
        batch.input_bytes_ += static_cast<uint64_t>(n);
        std::memset(bytes + batch.length_, ' ', kJsonPadding);
        if (awaiting_byte_order_mark(batch)) continue;
        split(batch, pos);
        if (!eof_) hold_open_line(batch);
        if (!batch.empty()) break;
        // Nothing complete yet (a large document, or whitespace): keep only what is
        // unfinished and read on.
        const size_t keep = skipping_ ? batch.length_ : splitter_.resume_offset(pos);
        if (skipping_) splitter_.forget_start();
        drop_prefix(batch, pos, keep);
    }
    if (eof_) {
        finish(batch, pos);
    } else if (skipping_) {
        splitter_.forget_start();
    } else {
        size_t keep = splitter_.resume_offset(pos);
        if (!held_.empty()) keep = std::min(keep, held_.front().offset);
        carry_.assign(bytes + keep, batch.length_ - keep);
        splitter_.rebase(keep);
        for (auto& span : held_) span.offset -= keep;
    }
    return batch.empty() ? Next::End : Next::Batch;
}

Status InputReader::read_all(InputSink& sink) {
    DocumentBatch batch;
    for (;;) {
        Result<Next> next = next_batch(batch);
        if (!next) return next.error();
        if (*next == Next::End) return {};
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
