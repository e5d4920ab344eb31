// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Agency and admin tokens are stored as SHA-256 digests, never in clear: a leaked
// configuration file does not leak the credentials.
#include <string>
#include <string_view>

namespace vigie {

// Lower-case hex SHA-256 of `token` (OpenSSL).
std::string sha256_hex(std::string_view token);
// 64 hex digits (either case).
bool is_sha256_hex(std::string_view text);

}  // namespace vigie
