// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A request as the handlers see it, whatever the transport (plain TCP, TLS, or a fuzz
// target feeding bytes), and the answer they give. Keeping Beast out of the handlers
// keeps them small and testable.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigie {

struct LiveSettings;  // service/http/live_settings.hpp

struct HttpRequest {
    std::string method;
    std::string target;
    // "POST /v1/events" for logs and errors; credential-like query values are redacted
    // (redact_target), so that a token sent in a query string never reaches a log.
    std::string request_line;
    std::string authorization;
    std::string content_type;
    std::string content_encoding;
    std::string client_identity;  // TLS client certificate CN; empty without one
    std::string peer;             // remote address, for logs
    std::string body;
    // Last, so that the handlers' tests that list the fields above keep their meaning.
    std::string accept{};
    // "Authorization: Basic ..." decoded (TAXII peers); both empty for any other scheme.
    std::string basic_user{};
    std::string basic_password{};
    // Every Transfer-Encoding the request declares, comma-separated; only "chunked" is read.
    std::string transfer_encoding{};
    // The settings snapshot the request began under (its session took it before reading
    // its header): its limits, agencies and rules stay these to its answer, whatever a
    // reload publishes meanwhile. Null: the handler's current ones.
    std::shared_ptr<const LiveSettings> settings{};
};

struct HttpAnswer {
    unsigned status = 200;
    std::string body;  // JSON unless content_type says otherwise
    std::string content_type = "application/json";
    unsigned retry_after_seconds = 0;                            // > 0: a Retry-After header
    bool www_authenticate = false;                               // 401: WWW-Authenticate: Bearer
    std::vector<std::pair<std::string, std::string>> headers{};  // more headers, as they are
};

// The user and password of an "Authorization: Basic <base64 user:password>" header;
// false (both left empty) for another scheme or a malformed value.
inline bool decode_basic_authorization(std::string_view authorization, std::string& user,
                                       std::string& password) {
    constexpr std::string_view kScheme = "basic ";
    if (authorization.size() <= kScheme.size()) return false;
    for (size_t i = 0; i < kScheme.size(); ++i)
        if ((authorization[i] | 0x20) != kScheme[i]) return false;
    std::string plain;
    uint32_t bits = 0;
    int count = 0;
    for (char c : authorization.substr(kScheme.size())) {
        int v = c >= 'A' && c <= 'Z'   ? c - 'A'
                : c >= 'a' && c <= 'z' ? c - 'a' + 26
                : c >= '0' && c <= '9' ? c - '0' + 52
                : c == '+'             ? 62
                : c == '/'             ? 63
                                       : -1;
        if (c == '=' || c == ' ') continue;
        if (v < 0) return false;
        bits = (bits << 6) | static_cast<uint32_t>(v);
        if ((count += 6) >= 8) plain += static_cast<char>((bits >> (count -= 8)) & 0xFF);
    }
    const size_t colon = plain.find(':');
    if (colon == std::string::npos || colon == 0) return false;
    user = plain.substr(0, colon);
    password = plain.substr(colon + 1);
    return true;
}

// The target with the values of query parameters that may be credentials (a name with
// token, key, pass, secret, auth, sig, session, cred or jwt in it) replaced by
// "REDACTED": "/v1/events?token=abc&x=1" -> "/v1/events?token=REDACTED&x=1". For every
// log line and answer that shows a request's target.
std::string redact_target(std::string_view target);

// {"error":"..."} with the given status.
HttpAnswer error_answer(unsigned status, std::string_view message);

}  // namespace vigie
