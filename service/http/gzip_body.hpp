// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Request bodies sent with Content-Encoding: gzip, inflated with zlib under a size
// limit, so that a small compressed body cannot expand into gigabytes (a zip bomb).
#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace vigie {

// What a readable stream gave. TooLarge is a value, not an Error: the caller answers it
// apart (413, counted, its own words naming the limit), where a broken stream is a 400
// with the Error's words.
enum class InflateStatus : unsigned char { Ok, TooLarge };

// Inflates the gzip (or zlib) stream `in` into `out` (the caller's buffer: after TooLarge
// it holds at most max_bytes + 1 bytes). TooLarge as soon as the output would pass
// `max_bytes`; an Error saying why for a stream that is not valid gzip.
Result<InflateStatus> gunzip(std::string_view in, size_t max_bytes, std::string& out);

}  // namespace vigie
