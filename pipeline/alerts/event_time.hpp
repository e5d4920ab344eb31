// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The time an event happened, from the text or number a log source wrote it as.
#include <cstdint>
#include <optional>
#include <string_view>

namespace vigie {

// Milliseconds since the Unix epoch, from RFC 3339 / ISO 8601 text
// ("2026-11-19T07:30:26.655732Z", "2026-11-19 07:30:26.648" (UTC assumed), "+02:00"
// offsets) or a number of seconds, milliseconds or microseconds since the epoch (told
// apart by magnitude). Nothing when the text is not a time.
std::optional<int64_t> parse_event_time(std::string_view text);
std::optional<int64_t> event_time_from_number(double value);

// "2026-11-19T07:30:26.655Z" for syslog and logs.
void append_rfc3339_ms(int64_t unix_ms, std::string& out);

}  // namespace vigie
