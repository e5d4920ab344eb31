// SPDX-License-Identifier: EUPL-1.2
#pragma once
// An alert on its way from a serve worker to the outputs: what the outputs route on
// (uid, agency, level, rule id, tags, TLP, the indicator behind it) as fields, and the
// alert formatted once, as text. Nothing downstream parses the text back: the sightings tap
// reads the indicator fields, the delivery filters on the routing fields and writes the
// text to each output that takes it, the spool stores both (pipeline/alerts/alert_envelope.hpp).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/level.hpp"

namespace vigie {

struct Alert;
class AlertFormat;

// The Traffic Light Protocol marking of an alert, from its "tlp:*" tags (an indicator's
// alert carries its indicator's). Ordered: a later value is more restrictive.
enum class AlertTlp : uint8_t { None, Clear, Green, Amber, AmberStrict, Red };

// The most restrictive "tlp:*" tag among comma-separated `tags` (exact, lower-case names:
// tlp:clear, tlp:white, tlp:green, tlp:amber, tlp:amber+strict, tlp:red); None without one.
AlertTlp tlp_of_tags(std::string_view tags);

// What an output's filter decides on: views into a record, or into a stored spool record.
struct AlertRouting {
    std::string_view uid;     // stable alert id (also the hub's Nats-Msg-Id)
    std::string_view agency;  // empty for `vigie scan`
    std::string_view rule_id;
    std::string_view tags;  // comma-separated
    Level level = Level::Informational;
    AlertTlp tlp = AlertTlp::None;

    AlertRouting() = default;
    // The TLP is read from the tags (a stored record carries it there).
    AlertRouting(std::string_view uid, std::string_view agency, std::string_view rule_id,
                 std::string_view tags, Level level);
    AlertRouting(std::string_view uid, std::string_view agency, std::string_view rule_id,
                 std::string_view tags, Level level, AlertTlp tlp)
        : uid(uid), agency(agency), rule_id(rule_id), tags(tags), level(level), tlp(tlp) {}

    [[nodiscard]] bool has_tag(std::string_view tag) const;
};

// Owned copies, so that a record outlives the scanner's per-event state; reused in place
// by AlertRecordBatch (assigning keeps each string's capacity).
struct AlertRecord {
    std::string uid;
    std::string agency;
    std::string rule_id;  // for an indicator's alert, the indicator id
    std::string tags;     // comma-separated, as the rule lists them
    Level level = Level::Informational;
    AlertTlp tlp = AlertTlp::None;
    // The threat indicator that fired (federation/indicators/); empty for a rule's alert.
    std::string indicator_id;
    std::string indicator_source;  // the peer or feed it came from
    std::string text;              // the formatted alert, one line, no newline

    [[nodiscard]] AlertRouting routing() const { return {uid, agency, rule_id, tags, level, tlp}; }
    [[nodiscard]] bool is_indicator() const { return !indicator_id.empty(); }
};

// Fills `record` from `alert`, formatted by `format` (its final newline dropped).
void fill_record(const Alert& alert, const AlertFormat& format, AlertRecord& record);

// The records of a job (or of a suppression pass). clear() keeps the records and their
// strings, so that a warmed-up batch allocates nothing for the next job's alerts.
class AlertRecordBatch {
  public:
    // A cleared record slot at the end (its strings keep their capacity).
    AlertRecord& add();
    void clear() { size_ = 0; }
    [[nodiscard]] std::span<const AlertRecord> records() const { return {records_.data(), size_}; }
    [[nodiscard]] size_t size() const { return size_; }
    [[nodiscard]] bool empty() const { return size_ == 0; }

  private:
    std::vector<AlertRecord> records_;
    size_t size_ = 0;
};

}  // namespace vigie
