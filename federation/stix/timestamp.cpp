// SPDX-License-Identifier: EUPL-1.2
#include "federation/stix/timestamp.hpp"

#include <cstdio>

namespace vigie::stix {
namespace {

bool digits(std::string_view s, size_t at, size_t n, int& out) {
    if (at + n > s.size()) return false;
    out = 0;
    for (size_t i = at; i < at + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int& y, unsigned& m, unsigned& d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = static_cast<int>(static_cast<int64_t>(yoe) + era * 400 + (m <= 2));
}

bool leap(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int y, int m) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

}  // namespace

std::optional<int64_t> parse_timestamp(std::string_view s) {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!digits(s, 0, 4, year) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, month) ||
        s[7] != '-' || !digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't') ||
        !digits(s, 11, 2, hour) || s[13] != ':' || !digits(s, 14, 2, minute) || s[16] != ':' ||
        !digits(s, 17, 2, second)) {
        return std::nullopt;
    }
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
        minute > 59 || second > 60) {
        return std::nullopt;
    }
    size_t at = 19;
    int64_t micros = 0;
    if (s[at] == '.') {
        size_t n = 0;
        ++at;
        while (at < s.size() && s[at] >= '0' && s[at] <= '9') {
            if (n < 6) micros = micros * 10 + (s[at] - '0');
            ++n;
            ++at;
        }
        if (n == 0 || n > 9) return std::nullopt;
        for (size_t i = n; i < 6; ++i) micros *= 10;
    }
    if (at + 1 != s.size() || (s[at] != 'Z' && s[at] != 'z')) return std::nullopt;
    // A leap second is read as the last microsecond of its minute's 59th second.
    const int64_t secs =
        days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
        int64_t{hour} * 3600 + int64_t{minute} * 60 + (second == 60 ? 59 : second);
    return secs * 1000000 + (second == 60 ? 999999 : micros);
}

std::string format_timestamp(int64_t unix_us, bool micro) {
    int64_t secs = unix_us >= 0 ? unix_us / 1000000 : (unix_us - 999999) / 1000000;
    const int64_t frac = unix_us - secs * 1000000;
    int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    const int64_t rem = secs - days * 86400;
    int y = 0;
    unsigned m = 0, d = 0;
    civil_from_days(days, y, m, d);
    char buf[48];
    if (micro) {
        std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%06dZ", y, m, d,
                      static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60),
                      static_cast<int>(rem % 60), static_cast<int>(frac));
    } else {
        std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", y, m, d,
                      static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60),
                      static_cast<int>(rem % 60), static_cast<int>(frac / 1000));
    }
    return buf;
}

}  // namespace vigie::stix
