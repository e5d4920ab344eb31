#pragma once
// How an alert is written. One alert per (event, rule) match; `vigie scan` writes them
// as JSON lines (for machines) or an aligned table (for a terminal). Formats append to
// a caller's buffer, so that each worker formats its own alerts without locks and the
// output stage writes whole buffers in input order.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "detector/rule.hpp"

namespace vigie {

struct Alert {
    const Rule& rule;
    std::string_view source_file;
    uint64_t index = 0;            // 0-based ordinal of the event in its input
    uint64_t line = 0;             // line where the event starts
    std::string_view event;        // the event's JSON as received
    std::string_view agency = {};  // vigie serve: who sent it (from the credential)
};

class AlertFormat {
  public:
    virtual ~AlertFormat() = default;
    // Written once before the first alert; empty for none.
    [[nodiscard]] virtual std::string_view header() const { return {}; }
    virtual void append(const Alert& alert, std::string& out) const = 0;
};

// {"rule":{"id","title","level","status","tags"},"source":{"file","index","line"[,"agency"]},
//  "event":{...}}
class JsonlAlertFormat final : public AlertFormat {
  public:
    void append(const Alert& alert, std::string& out) const override;
};

class TableAlertFormat final : public AlertFormat {
  public:
    TableAlertFormat();
    [[nodiscard]] std::string_view header() const override { return header_; }
    void append(const Alert& alert, std::string& out) const override;

  private:
    std::string header_;
};

// "jsonl" or "table".
std::unique_ptr<AlertFormat> make_alert_format(std::string_view name);

}  // namespace vigie
