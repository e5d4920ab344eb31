// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Credentials written into URLs (http://user:password@host, nats://token@host,
// https://host/hook?token=...) never reach a log line: the logger passes every record
// through redact_url_credentials(), whichever code built it, so a new log call that prints a
// configured URL, or an error message quoting one, cannot leak what it holds.
#include <string>
#include <string_view>

namespace vigie {

// `text` with, in every URL it holds (a "scheme://" and what follows up to a space or a
// quote), the password of its user information masked (user:***@, or ***@ for a lone
// token) and the value of every query parameter whose name holds token, key, pass, secret,
// auth, sig, session, cred, jwt, bearer or pwd, in any case, masked (token=***).
std::string redact_url_credentials(std::string_view text);

}  // namespace vigie
