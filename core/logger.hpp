// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Structured logs of vigie serve on stderr: one line per record, JSON
//   {"ts":"2026-11-23T15:04:05.123Z","level":"info","msg":"reloaded","rules":3780}
// or logfmt
//   ts=2026-11-23T15:04:05.123Z level=info msg=reloaded rules=3780
// Each record is one write(2), so lines from different threads never interleave.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>

namespace vigie {

enum class LogFormat : uint8_t { Json, Logfmt };
enum class LogLevel : uint8_t { Debug, Info, Warning, Error };

struct LogField {
    LogField(std::string_view k, std::string_view v) : key(k), text(v) {}
    LogField(std::string_view k, const char* v) : key(k), text(v) {}
    LogField(std::string_view k, const std::string& v) : key(k), text(v) {}
    LogField(std::string_view k, uint64_t v) : key(k), number(v), is_number(true) {}
    LogField(std::string_view k, int v)
        : key(k), number(static_cast<uint64_t>(v)), is_number(true) {}
    LogField(std::string_view k, unsigned v) : key(k), number(v), is_number(true) {}
    LogField(std::string_view k, double v) : key(k), real(v), is_real(true) {}

    std::string_view key;
    std::string_view text;
    uint64_t number = 0;
    double real = 0;
    bool is_number = false;
    bool is_real = false;
};

// At most one record per interval for a recurring condition (a regex over its limit on
// every event of a flood must not flood the log): admit() says whether to write now, and
// how many records were held back since the last one written, to be said in it.
class LogThrottle {
  public:
    explicit LogThrottle(std::chrono::steady_clock::duration interval) : interval_(interval) {}
    bool admit(uint64_t& held_back);

  private:
    std::mutex mutex_;
    std::chrono::steady_clock::duration interval_;
    std::chrono::steady_clock::time_point next_{};
    uint64_t held_back_ = 0;
};

class Logger {
  public:
    explicit Logger(LogFormat format = LogFormat::Json, LogLevel level = LogLevel::Info, int fd = 2)
        : format_(format), level_(level), fd_(fd) {}

    void log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields = {});
    void debug(std::string_view m, std::initializer_list<LogField> f = {}) {
        log(LogLevel::Debug, m, f);
    }
    void info(std::string_view m, std::initializer_list<LogField> f = {}) {
        log(LogLevel::Info, m, f);
    }
    void warn(std::string_view m, std::initializer_list<LogField> f = {}) {
        log(LogLevel::Warning, m, f);
    }
    void error(std::string_view m, std::initializer_list<LogField> f = {}) {
        log(LogLevel::Error, m, f);
    }

    // log.level, applied by a reload while other threads log.
    void set_level(LogLevel level) { level_.store(level, std::memory_order_relaxed); }

    // The record as it would be written (tests).
    [[nodiscard]] std::string format(LogLevel level, std::string_view message,
                                     std::initializer_list<LogField> fields) const;

  private:
    LogFormat format_;
    std::atomic<LogLevel> level_;
    int fd_;
};

}  // namespace vigie
