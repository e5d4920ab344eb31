#pragma once
// A request as the handlers see it, whatever the transport (plain TCP, TLS, or a fuzz
// target feeding bytes), and the answer they give. Keeping Beast out of the handlers
// keeps them small and testable.
#include <cstdint>
#include <string>
#include <string_view>

namespace vigie {

struct HttpRequest {
    std::string method;
    std::string target;
    std::string request_line;  // "POST /v1/events" for logs and errors
    std::string authorization;
    std::string content_type;
    std::string content_encoding;
    std::string client_identity;  // TLS client certificate CN; empty without one
    std::string peer;             // remote address, for logs
    std::string body;
};

struct HttpAnswer {
    unsigned status = 200;
    std::string body;  // JSON unless content_type says otherwise
    std::string content_type = "application/json";
    unsigned retry_after_seconds = 0;  // > 0: a Retry-After header
    bool www_authenticate = false;     // 401: WWW-Authenticate: Bearer
};

// {"error":"..."} with the given status.
HttpAnswer error_answer(unsigned status, std::string_view message);

}  // namespace vigie
