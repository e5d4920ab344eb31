// SPDX-License-Identifier: EUPL-1.2
#pragma once
// GET /metrics on vigie serve's metrics listener: an HttpListener like the ingest one, so
// that it has the same slot policy (idle or half-open connections cannot keep a scraper
// out) instead of a thread per connection.
#include <functional>
#include <string>

#include "service/http/request_handler.hpp"

namespace vigie {

class MetricsHandler final : public RequestHandler {
  public:
    // `exposition`: the Prometheus text, built at each scrape (thread-safe).
    explicit MetricsHandler(std::function<std::string()> exposition)
        : exposition_(std::move(exposition)) {}

    // GET /metrics, without a body; anything else is refused on its header.
    Admission admit(const HttpRequest& head, bool has_body) override;
    void handle(HttpRequest&& request, Reply reply) override;

  private:
    std::function<std::string()> exposition_;
};

}  // namespace vigie
