#include "ingest/input_reader.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ingest/json_padding.hpp"

namespace vigie {

InputReader::InputReader(int fd, size_t max_event_bytes, size_t chunk_bytes)
    : fd_(fd),
      max_event_bytes_(max_event_bytes),
      capacity_(chunk_bytes + max_event_bytes + kJsonPadding),
      buffer_(new char[capacity_]) {}

InputReader::~InputReader() {
    if (fd_ > 0) ::close(fd_);
}

void InputReader::report(InputSink& sink, uint64_t line, std::string message) {
    sink.on_problem({line, next_index_++, std::move(message)});
}

void InputReader::deliver(const DocumentSplitter::Result& r, InputSink& sink) {
    using E = DocumentSplitter::Event;
    if (r.event == E::Unexpected) {
        sink.on_problem({r.line, next_index_, std::string("unexpected '") + r.byte + "' between documents"});
        return;
    }
    if (skipping_) {  // the end of an oversized document, already reported
        skipping_ = false;
        return;
    }
    size_t size = r.end - r.start;
    if (size > max_event_bytes_) {
        report(sink, r.line, "document of " + std::to_string(size) + " bytes is over the limit of " +
                                 std::to_string(max_event_bytes_) + " bytes (--max-event-bytes)");
        return;
    }
    if (r.event == E::NotAnObject) {
        report(sink, r.line, "document is not a JSON object");
        return;
    }
    RawDocument doc{buffer_.get() + r.start, size, (length_ + kJsonPadding) - r.start, r.line, next_index_++};
    sink.on_document(doc);
}

bool InputReader::read_all(InputSink& sink) {
    size_t pos = 0;
    bool eof = false;
    while (!eof) {
        // Keep only the unfinished document; the rest was delivered.
        if (skipping_) {
            splitter_.forget_start();
            length_ = pos = 0;
        } else {
            size_t keep = splitter_.resume_offset(pos);
            std::memmove(buffer_.get(), buffer_.get() + keep, length_ - keep);
            splitter_.rebase(keep);
            length_ -= keep;
            pos -= keep;
        }
        ssize_t n = 0;
        do {
            n = ::read(fd_, buffer_.get() + length_, capacity_ - kJsonPadding - length_);
        } while (n < 0 && errno == EINTR);
        if (n < 0) {
            error_ = std::strerror(errno);
            return false;
        }
        eof = n == 0;
        length_ += static_cast<size_t>(n);
        std::memset(buffer_.get() + length_, ' ', kJsonPadding);
        for (;;) {
            auto r = splitter_.next(buffer_.get(), length_, pos);
            if (r.event == DocumentSplitter::Event::NeedMore) break;
            deliver(r, sink);
        }
        if (!skipping_ && splitter_.in_document() && length_ - splitter_.resume_offset(pos) > max_event_bytes_) {
            report(sink, splitter_.document_line(),
                   "document is over the limit of " + std::to_string(max_event_bytes_) + " bytes (--max-event-bytes)");
            skipping_ = true;
        }
    }
    if (splitter_.scalar_complete()) {
        deliver({DocumentSplitter::Event::NotAnObject, splitter_.resume_offset(pos), length_, splitter_.document_line(), 0},
                sink);
    } else if (splitter_.in_document() && !skipping_) {
        report(sink, splitter_.document_line(), "truncated document: the input ends inside it");
    }
    return true;
}

}  // namespace vigie
