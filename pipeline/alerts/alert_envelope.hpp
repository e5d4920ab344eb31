#pragma once
// An alert on its way to the outputs: a routing line (what the outputs filter and route
// on, whatever the alert format) followed by the formatted alert, one line each:
//   <uid> TAB <agency> TAB <level> TAB <rule id> TAB <tags, comma-separated> LF
//   <the alert as formatted (jsonl, ocsf)> LF
// Workers append envelopes to a job's buffer; the alert sink hands each output the alert
// lines its filter takes, and stores the envelopes in the spool for the forwarding ones.
#include <string>
#include <string_view>

#include "detector/rule.hpp"

namespace vigie {

struct AlertRouting {
    std::string_view uid;     // stable alert id (also the hub's Nats-Msg-Id)
    std::string_view agency;  // empty for `vigie scan`
    std::string_view rule_id;
    std::string_view tags;  // comma-separated
    Level level = Level::Informational;

    [[nodiscard]] bool has_tag(std::string_view tag) const;
};

// Appends "routing\nalert\n". Tabs, newlines and commas in the routing values (which come
// from rule files) are replaced by spaces so that the line stays parseable.
void append_envelope(const AlertRouting& routing, std::string_view alert_line, std::string& out);

// Reads the envelopes of a buffer one after the other.
class EnvelopeReader {
  public:
    explicit EnvelopeReader(std::string_view buffer) : rest_(buffer) {}
    // The next envelope: its routing, its alert line (no newline) and the whole record
    // ("routing\nalert", no final newline, as the spool stores it). False at the end or
    // on a malformed envelope (see error()).
    bool next(AlertRouting& routing, std::string_view& alert, std::string_view& record);
    [[nodiscard]] std::string_view error() const { return error_; }

  private:
    std::string_view rest_;
    std::string_view error_;
};

// Parses one record ("routing\nalert", as stored in the spool). False when malformed.
bool parse_envelope(std::string_view record, AlertRouting& routing, std::string_view& alert);

}  // namespace vigie
