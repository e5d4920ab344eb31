// SPDX-License-Identifier: EUPL-1.2
#include "pipeline/alerts/event_time.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>

namespace vigie {

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2 ? 1 : 0;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

struct Cursor {
    std::string_view s;
    size_t at = 0;

    bool number(size_t width, int64_t& out) {
        if (at + width > s.size()) return false;
        out = 0;
        for (size_t i = 0; i < width; ++i) {
            char c = s[at + i];
            if (c < '0' || c > '9') return false;
            out = out * 10 + (c - '0');
        }
        at += width;
        return true;
    }
    bool take(char c) {
        if (at < s.size() && s[at] == c) {
            ++at;
            return true;
        }
        return false;
    }
};

// Fraction of a second as milliseconds (any number of digits, truncated).
int64_t fraction_ms(Cursor& c) {
    if (!c.take('.') && !c.take(',')) return 0;
    int64_t ms = 0;
    int digits = 0;
    while (c.at < c.s.size() && c.s[c.at] >= '0' && c.s[c.at] <= '9') {
        if (digits < 3) ms = ms * 10 + (c.s[c.at] - '0');
        ++digits;
        ++c.at;
    }
    for (; digits < 3; ++digits) ms *= 10;
    return ms;
}

// Offset east of UTC in minutes; UTC when absent ("Z" or nothing).
std::optional<int64_t> zone_minutes(Cursor& c) {
    if (c.at == c.s.size() || c.take('Z') || c.take('z')) return 0;
    int sign = c.take('+') ? 1 : (c.take('-') ? -1 : 0);
    int64_t h = 0, m = 0;
    if (sign == 0 || !c.number(2, h)) return std::nullopt;
    c.take(':');
    if (!c.number(2, m)) return std::nullopt;
    return sign * (h * 60 + m);
}

}  // namespace

std::optional<int64_t> event_time_from_number(double v) {
    if (!std::isfinite(v) || v <= 0) return std::nullopt;
    if (v < 1e11) return static_cast<int64_t>(v * 1000);  // seconds
    if (v < 1e14) return static_cast<int64_t>(v);         // milliseconds
    if (v < 1e17) return static_cast<int64_t>(v / 1000);  // microseconds
    return std::nullopt;
}

std::optional<int64_t> parse_event_time(std::string_view text) {
    Cursor c{text};
    int64_t y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (!c.number(4, y) || !c.take('-') || !c.number(2, mo) || !c.take('-') || !c.number(2, d)) {
        double n = 0;
        auto r = std::from_chars(text.data(), text.data() + text.size(), n);
        if (r.ec == std::errc() && r.ptr == text.data() + text.size()) {
            return event_time_from_number(n);
        }
        return std::nullopt;
    }
    if (!(c.take('T') || c.take('t') || c.take(' ')) || !c.number(2, h) || !c.take(':') ||
        !c.number(2, mi) || !c.take(':') || !c.number(2, s)) {
        return std::nullopt;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
    const int64_t ms = fraction_ms(c);
    auto zone = zone_minutes(c);
    if (!zone || c.at != text.size()) return std::nullopt;
    const int64_t seconds = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - *zone * 60;
    return seconds * 1000 + ms;
}

void append_rfc3339_ms(int64_t unix_ms, std::string& out) {
    int64_t days = unix_ms >= 0 ? unix_ms / 86400000 : (unix_ms - 86399999) / 86400000;
    int64_t rem = unix_ms - days * 86400000;
    // civil_from_days (Howard Hinnant)
    days += 719468;
    const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const int64_t doe = days - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int64_t d = doy - (153 * mp + 2) / 5 + 1;
    const int64_t m = mp < 10 ? mp + 3 : mp - 9;
    const int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    char buf[40];
    int n = std::snprintf(
        buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ",
        static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d),
        static_cast<long long>(rem / 3600000), static_cast<long long>(rem / 60000 % 60),
        static_cast<long long>(rem / 1000 % 60), static_cast<long long>(rem % 1000));
    out.append(buf, static_cast<size_t>(n));
}

}  // namespace vigie
