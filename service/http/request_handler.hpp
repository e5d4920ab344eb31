// SPDX-License-Identifier: EUPL-1.2
#pragma once
// What an HttpListener serves: a handler that admits each request on its header alone
// (before any body is read) and then answers it whole. The ingest routes (IngestHandler)
// and the metrics (MetricsHandler) are two.
#include <cstdint>
#include <functional>
#include <optional>

#include "core/http_exchange.hpp"

namespace vigie {

// Where the listener runs a request once its body is read: on the I/O thread (cheap
// answers: health, readiness, 404), or on one of the two small worker pools, so that
// inflating, parsing and storing never hold an I/O thread (and TAXII work never holds
// the ingest's pool).
enum class RequestLane : uint8_t { Inline, Ingest, Other };

// What the listener does with a request once its header is read, before any of its body.
struct Admission {
    std::optional<HttpAnswer> refusal;  // answered at once, the body unread, then closed
    bool authenticated = false;         // its credential was checked and is good
    RequestLane lane = RequestLane::Inline;
};

class RequestHandler {
  public:
    using Reply = std::function<void(HttpAnswer&&)>;
    virtual ~RequestHandler() = default;
    // The header stage (`head` has no body yet; `has_body`: one follows). Thread-safe.
    virtual Admission admit(const HttpRequest& head, bool has_body) = 0;
    // Calls `reply` exactly once, at once or later from another thread. Thread-safe.
    virtual void handle(HttpRequest&& request, Reply reply) = 0;
};

}  // namespace vigie
