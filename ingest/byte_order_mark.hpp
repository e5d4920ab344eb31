// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The UTF-8 byte order mark some writers (Windows editors, PowerShell's Out-File) put at
// the start of a file. It is not JSON; at the start of an input it is skipped.
#include <string_view>

namespace vigie {

inline constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

// `input` without a byte order mark at its start.
inline std::string_view skip_byte_order_mark(std::string_view input) {
    if (input.starts_with(kByteOrderMark)) input.remove_prefix(kByteOrderMark.size());
    return input;
}

}  // namespace vigie
