// SPDX-License-Identifier: EUPL-1.2
#pragma once
// How an alert is written. One alert per (event, rule) match; `vigie scan` writes them
// as JSON lines (for machines) or an aligned table (for a terminal). Formats append to
// a caller's buffer, so that each worker formats its own alerts without locks and the
// output stage writes whole buffers in input order.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "detector/match_explanation.hpp"
#include "detector/rule.hpp"

namespace vigie {

// The threat indicator behind an alert (indicators/), as the formats write it.
struct AlertIndicator {
    std::string_view id;
    std::string_view name;
    std::string_view tlp;  // "TLP:AMBER"
    std::string_view source;
    int confidence = -1;  // -1: not given
};

struct Alert {
    const Rule& rule;
    std::string_view source_file;
    uint64_t index = 0;                         // 0-based ordinal of the event in its input
    uint64_t line = 0;                          // line where the event starts
    std::string_view event;                     // the event's JSON as received, or minified
    std::string_view agency = {};               // vigie serve: who sent it (from the credential)
    std::string_view uid = {};                  // stable id (alert_id.hpp); empty: not computed
    int64_t time_ms = 0;                        // detection time; 0: not set
    std::optional<int64_t> event_time_ms = {};  // when the event happened, when known
    std::optional<int64_t> last_event_time_ms = {};  // suppression: the window's last event
    uint64_t count = 1;                              // suppression: events this alert stands for
    std::string_view host = {};
    std::span<const MatchedField> matched = {};
    bool include_event = true;
    std::string_view event_subset = {};  // a JSON object; empty: the whole event
    // `event` is already minified (the scanner minifies it once, for the uid): written as
    // it is instead of minified a second time.
    bool event_minified = false;
    const AlertIndicator* indicator = nullptr;  // set when an indicator fired, not a rule
    // A test of the rule could not be decided (a regex over its match limit) and the rule
    // fired because that test could make it hold (fail-closed): written "undecided":true.
    bool undecided = false;
};

// The version of the alert schema (docs/alert.schema.json) the jsonl format writes.
inline constexpr std::string_view kAlertSchemaVersion = "1.0";

// The bound on one formatted alert (alerts.max_alert_bytes), below what the hub accepts
// (NATS's default max_payload is 1 MiB, headers included): a 600 KB event would otherwise
// give a 1.2 MB alert (the event, and the matched value again) that no hub takes.
inline constexpr size_t kDefaultMaxAlertBytes = 256ULL * 1024;
// In an alert over the bound, each matched value is cut to this.
inline constexpr size_t kCutMatchedValueBytes = 1024;

// How an alert over the bound is written: matched values cut to matched_value_bytes (with
// "value_original_bytes"), and the event replaced by "event_truncated":
// {"original_bytes": event_bytes, "excerpt": <the event's first bytes, as a JSON string>}.
struct AlertCut {
    size_t matched_value_bytes = kCutMatchedValueBytes;
    uint64_t event_bytes = 0;       // the event (minified JSON, or its subset) before the cut
    std::string_view excerpt_json;  // a JSON string literal, quotes included; empty: ""
};

class AlertFormat {
  public:
    virtual ~AlertFormat() = default;
    // Written once before the first alert; empty for none.
    [[nodiscard]] virtual std::string_view header() const { return {}; }
    // Appends one alert. An alert over max_bytes() is written again cut (AlertCut), so that
    // it fits unless the rule's own text and the matched field names alone pass the bound
    // (the outputs then dead-letter what an upstream refuses). The uid is the whole event's.
    void append(const Alert& alert, std::string& out) const;
    // 0: no bound. Set before the format is shared between threads.
    void set_max_bytes(size_t max) { max_bytes_ = max; }
    [[nodiscard]] size_t max_bytes() const { return max_bytes_; }

  protected:
    // cut: null for the whole alert.
    virtual void write(const Alert& alert, const AlertCut* cut, std::string& out) const = 0;

  private:
    void append_cut(const Alert& alert, size_t start, std::string& out) const;
    size_t max_bytes_ = kDefaultMaxAlertBytes;
};

// vigie's alert schema (docs/alert.schema.json): {"rule":{...},"source":{...},
// "schema_version","uid","time",...,"event":{...}}; names follow OCSF's Detection Finding
// where it has one (time, start_time, end_time, count, severity, severity_id, device).
class JsonlAlertFormat final : public AlertFormat {
  protected:
    void write(const Alert& alert, const AlertCut* cut, std::string& out) const override;
};

class TableAlertFormat final : public AlertFormat {
  public:
    TableAlertFormat();
    [[nodiscard]] std::string_view header() const override { return header_; }

  protected:
    void write(const Alert& alert, const AlertCut* cut, std::string& out) const override;

  private:
    std::string header_;
};

// Strict OCSF 1.1 Detection Finding (class_uid 2004), one JSON object a line, for hubs
// that ingest OCSF; what OCSF has no attribute for is under "unmapped".
class OcsfAlertFormat final : public AlertFormat {
  public:
    explicit OcsfAlertFormat(std::string product_version) : version_(std::move(product_version)) {}

  protected:
    void write(const Alert& alert, const AlertCut* cut, std::string& out) const override;

  private:
    std::string version_;
};

// "jsonl", "ocsf" or "table"; nullptr for another name.
std::unique_ptr<AlertFormat> make_alert_format(std::string_view name,
                                               std::string_view product_version = "");

// Sigma level -> OCSF severity_id (1 Informational .. 5 Critical) and its caption.
int ocsf_severity_id(Level level);
std::string_view ocsf_severity(Level level);

// What both JSON formats write alike. `,"<first_key>":ms,"<last_key>":ms`, the time span of
// the events an alert stands for (one event, or a suppression window's), when known.
void append_event_span(std::string& b, const Alert& a, std::string_view first_key,
                       std::string_view last_key);
// The event (or its configured subset) as minified JSON.
void append_event(std::string& b, const Alert& a);
// {"file":...,"index":N,"line":N}: where the event was in its input.
void append_source(std::string& b, const Alert& a);
// "event_truncated":{"original_bytes":N,"excerpt":"..."} (no leading comma).
void append_event_truncated(std::string& b, const AlertCut& cut);
// Where a JSON string literal (quotes included) can be cut so that its content keeps at
// most `max` bytes: never inside an escape or a UTF-8 sequence. Returns the content's end.
size_t json_string_cut(std::string_view literal, size_t max);

}  // namespace vigie
