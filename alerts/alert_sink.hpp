#pragma once
// Where alerts go. One alert per (event, rule) match; `vigie scan` writes them as JSON
// lines (for machines) or an aligned table (for a terminal).
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "detector/rule.hpp"

namespace vigie {

struct Alert {
    const Rule& rule;
    std::string_view source_file;
    uint64_t index = 0;  // 0-based ordinal of the event in its input
    uint64_t line = 0;   // line where the event starts
    std::string_view event;  // the event's JSON as received
};

class AlertSink {
public:
    virtual ~AlertSink() = default;
    virtual void write(const Alert& alert) = 0;
    virtual void flush() = 0;
};

// {"rule":{"id","title","level","status","tags"},"source":{"file","index","line"},"event":{...}}
class JsonlAlertSink final : public AlertSink {
public:
    explicit JsonlAlertSink(std::FILE* out) : out_(out) {}
    void write(const Alert& alert) override;
    void flush() override;

private:
    std::FILE* out_;
    std::string buffer_;
};

class TableAlertSink final : public AlertSink {
public:
    explicit TableAlertSink(std::FILE* out) : out_(out) {}
    void write(const Alert& alert) override;
    void flush() override;

private:
    std::FILE* out_;
    bool header_written_ = false;
};

}  // namespace vigie
