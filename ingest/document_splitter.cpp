#include "ingest/document_splitter.hpp"

#include <cstring>

namespace vigie {

namespace {

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
bool ends_scalar(char c) { return is_space(c) || c == ',' || c == ']' || c == '}' || c == '[' || c == '{'; }

}  // namespace

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
            in_doc_ = true;
            doc_start_ = pos;
            doc_line_ = line_;
            depth_ = 0;
            scalar_ = c != '{' && c != '[';
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
                // Jump to the next quote or backslash: strings are most of the bytes.
                if (escape_) {
                    escape_ = false;
                    ++pos;
                    continue;
                }
                const void* q = std::memchr(data + pos, '"', size - pos);
                size_t stop = q != nullptr ? static_cast<size_t>(static_cast<const char*>(q) - data) : size;
                const void* b = std::memchr(data + pos, '\\', stop - pos);
                if (b != nullptr) stop = static_cast<size_t>(static_cast<const char*>(b) - data);
                for (size_t i = pos; i < stop; ++i) line_ += data[i] == '\n' ? 1 : 0;
                pos = stop;
                if (pos == size) return {};
                if (data[pos] == '\\') {
                    escape_ = true;
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
            ++pos;
            switch (c) {
                case '"': in_string_ = true; break;
                case '{':
                case '[': ++depth_; break;
                case '}':
                case ']':
                    if (--depth_ == 0) {
                        in_doc_ = false;
                        return {data[doc_start_] == '{' ? Event::Document : Event::NotAnObject, doc_start_, pos,
                                doc_line_, 0};
                    }
                    break;
                case '\n': ++line_; break;
                default: break;
            }
        }
    }
    return {};
}

}  // namespace vigie
