// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Request bodies sent with Content-Encoding: gzip, inflated with zlib under a size
// limit, so that a small compressed body cannot expand into gigabytes (a zip bomb).
#include <cstddef>
#include <string>
#include <string_view>

namespace vigie {

enum class InflateStatus : unsigned char { Ok, TooLarge, Corrupt };

// Inflates the gzip (or zlib) stream `in` into `out`. TooLarge as soon as the output
// would pass `max_bytes`; Corrupt with the reason in `error` for a bad stream.
InflateStatus gunzip(std::string_view in, size_t max_bytes, std::string& out, std::string& error);

}  // namespace vigie
