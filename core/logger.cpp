// SPDX-License-Identifier: EUPL-1.2
#include "core/logger.hpp"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <ctime>

#include "core/credential_redaction.hpp"
#include "core/json_text.hpp"

namespace vigie {

namespace {

std::string_view level_text(LogLevel level) {
    switch (level) {
        case LogLevel::Debug:
            return "debug";
        case LogLevel::Info:
            return "info";
        case LogLevel::Warning:
            return "warning";
        case LogLevel::Error:
            return "error";
    }
    return "info";
}

std::string timestamp() {
    auto now = std::chrono::system_clock::now();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
    std::time_t secs = static_cast<std::time_t>(ms.count() / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms.count() % 1000));
    return buf;
}

void append_value(std::string& out, const LogField& f, bool json) {
    if (f.is_number) {
        char digits[24];
        auto r = std::to_chars(digits, digits + sizeof digits, f.number);
        out.append(digits, r.ptr);
    } else if (f.is_real) {
        char digits[32];
        auto r = std::to_chars(digits, digits + sizeof digits, f.real);
        out.append(digits, r.ptr);
    } else if (json) {
        append_json_string(out, f.text);
    } else {
        // logfmt: bare when it is one plain word, else quoted with JSON escapes.
        bool plain = !f.text.empty();
        for (char c : f.text)
            if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f) plain = false;
        if (plain) {
            out += f.text;
        } else {
            append_json_string(out, f.text);
        }
    }
}

void append_field(std::string& out, const LogField& f, bool json, bool first) {
    if (!first) out += json ? ',' : ' ';
    if (json) {
        append_json_string(out, f.key);
        out += ':';
    } else {
        out += f.key;
        out += '=';
    }
    append_value(out, f, json);
}

}  // namespace

std::string Logger::format(LogLevel level, std::string_view message,
                           std::initializer_list<LogField> fields) const {
    const bool json = format_ == LogFormat::Json;
    std::string out;
    out.reserve(128);
    const std::string ts = timestamp();
    if (json) out += '{';
    append_field(out, {"ts", ts}, json, true);
    append_field(out, {"level", level_text(level)}, json, false);
    append_field(out, {"msg", message}, json, false);
    for (const LogField& f : fields) append_field(out, f, json, false);
    if (json) out += '}';
    out += '\n';
    return redact_url_credentials(out);  // whatever the caller put in, no URL credential
}

void Logger::log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
    if (level < level_.load(std::memory_order_relaxed)) return;
    std::string line = format(level, message, fields);
    std::string_view rest = line;
    while (!rest.empty()) {
        ssize_t n = ::write(fd_, rest.data(), rest.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // stderr gone: nothing better to do with a log line
        rest.remove_prefix(static_cast<size_t>(n));
    }
}

bool LogThrottle::admit(uint64_t& held_back) {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    if (now < next_) {
        ++held_back_;
        return false;
    }
    next_ = now + interval_;
    held_back = held_back_;
    held_back_ = 0;
    return true;
}

}  // namespace vigie
