// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The pure part of the NATS input, kept apart from the client library so that it can be
// tested without a server: the agency of a subject, the delivery count in a JetStream
// reply subject, the checks that make a message a dead letter before evaluation, and the
// NDJSON body that joins the messages of one agency into one ingest job.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigie {

// "events.>" -> "events.": what precedes the agency token in a subject.
std::string subject_prefix(std::string_view subjects);

// The agency of `subject` under `prefix`: the one token after it; empty when the subject
// is not exactly <prefix><token>.
std::string_view agency_of(std::string_view subject, std::string_view prefix);

// The delivery count of a JetStream message, from its reply subject
// ($JS.ACK.<stream>.<consumer>.<delivered>.… or, with a domain,
// $JS.ACK.<domain>.<account hash>.<stream>.<consumer>.<delivered>.…); 0 when unknown.
// Parsed here because natsMsg_GetMetaData allocates for every message.
uint64_t delivery_count(std::string_view reply);

// Why a payload cannot be evaluated as a message of its own, or empty when it can: it must
// hold one or more complete JSON objects (a truncated one would swallow the next message
// once joined).
std::string payload_problem(std::string_view payload);

// Header values cannot hold line breaks; keeps them short too.
std::string header_value(std::string_view text);

// The messages of one agency joined into one NDJSON body, with the first body line of
// each message, so that a rejected line maps back to its message.
class JoinedBody {
  public:
    void reserve(size_t bytes, size_t messages);
    void append(std::string_view payload);
    // Index of the message holding body line `line` (1-based).
    [[nodiscard]] size_t message_of_line(uint64_t line) const;
    // The line of the body `line` is, counted within its own message (1-based).
    [[nodiscard]] uint64_t line_in_message(uint64_t line) const;
    [[nodiscard]] size_t messages() const { return first_lines_.size(); }
    std::string take_body() { return std::move(body_); }

  private:
    std::string body_;
    std::vector<uint64_t> first_lines_;
    uint64_t lines_ = 0;  // lines in body_ so far (body_ always ends with '\n')
};

}  // namespace vigie
