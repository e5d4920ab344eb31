// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The one HTTP client of vigie (libcurl), for every exchange vigie starts itself: the
// webhook output, TAXII peers, MISP feeds, the Pushgateway. One place decides what all of
// them share: http:// and https:// only, redirects never followed (credentials would go
// along to wherever the server points), no signals (many threads), a bound on what a
// server can make vigie hold in memory, and a flag that aborts a transfer in progress
// (shutdown). An HttpClient keeps its libcurl handle, so that the exchanges one caller makes
// in turn reuse the connection (keep-alive); it serves one thread at a time.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace vigie {

struct HttpClientRequest {
    std::string method = "GET";  // GET, POST, PUT...: any other than GET sends `body`
    std::string url;
    std::vector<std::string> headers;        // "Name: value"; "Name:" drops one libcurl would add
    std::string_view body;                   // must outlive perform()
    long connect_timeout_ms = 0;             // 0: libcurl's own bound
    long timeout_ms = 0;                     // the whole exchange; 0: none
    std::string ca_file;                     // "": the system's CAs
    std::string cert_file, key_file;         // a client certificate (mTLS), when set
    std::string basic_user, basic_password;  // HTTP Basic when basic_user is set,
    std::string bearer_token;                // else "Authorization: Bearer" when this is
    // A body longer than this aborts the reading: the exchange fails (too_large).
    size_t max_response_bytes = std::numeric_limits<size_t>::max();
    // The body is read to its end but only its start is kept (a log line's worth).
    size_t kept_response_bytes = std::numeric_limits<size_t>::max();
    bool decode_content = false;  // accept any encoding libcurl decodes; the bounds apply after
    std::vector<std::string> wanted_headers;       // answer headers to keep, names in any case
    const std::atomic<bool>* interrupt = nullptr;  // when set and true: the transfer aborts
};

struct HttpClientResponse {
    long status = 0;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // the wanted ones received
    int64_t retry_after_seconds = 0;                           // Retry-After, 0 when none

    // The value of a wanted header, "" when the answer had none.
    [[nodiscard]] std::string_view header(std::string_view name) const;
};

// Why an exchange gave no answer, for callers whose words depend on it.
enum class HttpFailure {
    none,
    cannot_start,  // no libcurl handle (out of memory)
    transport,     // DNS, connection, TLS, timeout...: the Error holds libcurl's words
    too_large,     // the body went over max_response_bytes; reading was aborted
    interrupted,   // the interrupt flag was raised
};

class HttpClient {
  public:
    HttpClient();
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // False when libcurl could not make a handle; perform() then fails (cannot_start).
    [[nodiscard]] bool ready() const { return curl_ != nullptr; }

    // One exchange. Any HTTP status is an answer (the caller judges it); no answer is an
    // Error: libcurl's detailed words (or its summary, below), or the client's own for
    // too_large ("the response is over N bytes; reading aborted") and interrupted.
    Result<HttpClientResponse> perform(const HttpClientRequest& request);

    // What the last perform() that failed ran into, and libcurl's one-line summary of it
    // (curl_easy_strerror: "Timeout was reached"), without the detail of the Error.
    [[nodiscard]] HttpFailure last_failure() const { return failure_; }
    [[nodiscard]] const std::string& last_failure_summary() const { return failure_summary_; }

  private:
    void* curl_ = nullptr;  // CURL*
    HttpFailure failure_ = HttpFailure::none;
    std::string failure_summary_;
};

}  // namespace vigie
