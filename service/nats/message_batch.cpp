// SPDX-License-Identifier: EUPL-1.2
#include "service/nats/message_batch.hpp"

#include <algorithm>
#include <cstring>

#include "ingest/byte_order_mark.hpp"
#include "ingest/document_splitter.hpp"

namespace vigie {

std::string subject_prefix(std::string_view subjects) {
    if (subjects.size() >= 2 && subjects.substr(subjects.size() - 2) == ".>")
        subjects.remove_suffix(1);  // keep the dot
    return std::string(subjects);
}

std::string_view agency_of(std::string_view subject, std::string_view prefix) {
    if (subject.size() <= prefix.size() || subject.substr(0, prefix.size()) != prefix) return {};
    std::string_view token = subject.substr(prefix.size());
    if (token.find('.') != std::string_view::npos) return {};
    return token;
}

uint64_t delivery_count(std::string_view reply) {
    // Split into at most 12 tokens without allocating.
    std::string_view tokens[12];
    size_t count = 0;
    while (count < 12) {
        const size_t dot = reply.find('.');
        tokens[count++] = reply.substr(0, dot);
        if (dot == std::string_view::npos) break;
        reply.remove_prefix(dot + 1);
    }
    if (count < 9 || tokens[0] != "$JS" || tokens[1] != "ACK") return 0;
    const std::string_view delivered = count == 9 ? tokens[4] : tokens[6];
    uint64_t n = 0;
    for (char c : delivered) {
        if (c < '0' || c > '9') return 0;
        n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    return n;
}

std::string payload_problem(std::string_view payload) {
    payload = skip_byte_order_mark(payload);  // JoinedBody::append drops it too
    const size_t first = payload.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return "empty message";
    if (payload[first] != '{')
        return "a message holds JSON objects (one per line), not what starts with '" +
               std::string(1, payload[first]) + "'";
    // Where the documents end, as the engine will cut them: a document still open at the
    // end of the payload is truncated.
    DocumentSplitter splitter;
    size_t pos = 0;
    while (splitter.next(payload.data(), payload.size(), pos).event !=
           DocumentSplitter::Event::NeedMore) {
    }
    if (splitter.in_document())
        return "truncated JSON document at line " + std::to_string(splitter.document_line());
    return {};
}

std::string header_value(std::string_view text) {
    std::string out(text.substr(0, 512));
    std::replace_if(
        out.begin(), out.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; }, ' ');
    return out;
}

void JoinedBody::reserve(size_t bytes, size_t messages) {
    body_.reserve(bytes + messages);
    first_lines_.reserve(messages);
}

void JoinedBody::append(std::string_view payload) {
    payload = skip_byte_order_mark(payload);  // a message is an input: it may start with one
    first_lines_.push_back(lines_ + 1);
    body_.append(payload);
    lines_ += static_cast<uint64_t>(std::count(payload.begin(), payload.end(), '\n'));
    if (payload.empty() || payload.back() != '\n') {
        body_.push_back('\n');
        ++lines_;
    }
}

size_t JoinedBody::message_of_line(uint64_t line) const {
    const auto it = std::upper_bound(first_lines_.begin(), first_lines_.end(), line);
    return it == first_lines_.begin() ? 0 : static_cast<size_t>(it - first_lines_.begin() - 1);
}

uint64_t JoinedBody::line_in_message(uint64_t line) const {
    if (first_lines_.empty()) return line;
    return line - first_lines_[message_of_line(line)] + 1;
}

}  // namespace vigie
