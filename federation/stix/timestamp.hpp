// SPDX-License-Identifier: EUPL-1.2
#pragma once
// STIX 2.1 timestamps: RFC 3339 in UTC with a literal Z ("2016-05-12T08:17:27.000Z"),
// strictly as the specification writes them (section 3.2), kept as microseconds since
// the Unix epoch so that versions compare exactly at the precision feeds use.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigie::stix {

// Nothing when `text` is not a STIX timestamp (no Z, a bad field, more than 9 digits of
// fraction).
std::optional<int64_t> parse_timestamp(std::string_view text);
// "2016-05-12T08:17:27.000Z" with milliseconds, as TAXII's added_after examples use;
// `micro` keeps microseconds ("...27.000123Z") where a timestamp must round-trip.
std::string format_timestamp(int64_t unix_us, bool micro = false);

}  // namespace vigie::stix
