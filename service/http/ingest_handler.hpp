// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The routes of vigie serve's HTTP listener:
//   POST /v1/events        NDJSON from an agency (Bearer token), optionally gzip
//   POST /v1/admin/reload  reload the configuration (admin token; app/serve_reload.hpp)
//   GET  /healthz          the process is up
//   GET  /readyz           rules loaded, queue not full, not draining
//   /taxii2/, /<api root>/ the TAXII 2.1 server, when one is configured (ExtraRoutes)
// Answers are JSON. POST /v1/events answers once the events' alerts are written:
//   200 {"accepted":N,"rejected":[{"line":L,"error":"..."}]}
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/http_exchange.hpp"
#include "core/logger.hpp"
#include "pipeline/engine/ingest_engine.hpp"
#include "service/agencies/agency_registry.hpp"
#include "service/http/http_settings.hpp"
#include "service/http/live_settings.hpp"
#include "service/http/request_handler.hpp"

namespace vigie {

struct ReloadOutcome {
    bool ok = false;
    std::string summary;  // JSON object: what was loaded, or the errors that refused it
};

// Counted by the handler, by HTTP outcome; the serve command publishes them as metrics.
// The refused events themselves are counted through the engine (count_refused), by
// agency and reason.
struct HttpCounters {
    std::atomic<uint64_t> requests{0};
    std::atomic<uint64_t> unauthorized{0};
    std::atomic<uint64_t> rate_limited{0};
    std::atomic<uint64_t> overloaded{0};  // 503
    std::atomic<uint64_t> too_large{0};
    std::atomic<uint64_t> unsupported{0};  // 415
};

// Another API served by the same listener (the TAXII server): the paths it owns, and its
// answer, given at once. Paths of the routes above are never passed to it.
struct ExtraRoutes {
    std::function<bool(std::string_view path)> owns;
    std::function<HttpAnswer(const HttpRequest&)> handle;
    // The check of a request's credentials on its header alone (the body is empty and not
    // yet read): nullopt when they are good, else the refusal (401). Without it, the body
    // of a request to these routes is read before `handle` authenticates it.
    std::function<std::optional<HttpAnswer>(const HttpRequest& head)> authenticate{};
};

class IngestHandler final : public RequestHandler {
  public:
    // Runs a reload off the network thread and calls back with the outcome.
    using Reloader = std::function<void(std::function<void(ReloadOutcome&&)>)>;

    IngestHandler(IngestEngine& engine, AgencyRegistry& agencies, const HttpSettings& settings,
                  Logger& log, Reloader reloader = {}, ExtraRoutes extra = {});

    // The header stage: authenticates the request (agency, admin or extra routes' token)
    // and checks its route, method and media type before any of its body is read, so that
    // no unauthenticated peer makes vigie read (or hold in memory) a body. Requests with
    // no credential (health, readiness, unknown paths) may not carry a body (413).
    // A refusal is counted and logged here. Thread-safe.
    Admission admit(const HttpRequest& head, bool has_body) override;
    // Calls `reply` exactly once: at once, or from a worker thread once the job is done.
    // Checks everything admit() checked again, so that it is safe on its own (fuzzing).
    void handle(HttpRequest&& request, Reply reply) override;

    // From now on, the limits, agencies and rules of each request are those of `store`'s
    // snapshot it began under (vigie serve, whose reloads publish new ones); before, the
    // constructor's settings and the registry's agencies. Before any request.
    void follow(const LiveSettingsStore& store) { live_ = &store; }
    // From now on, new events get 503 (SIGTERM): the listener is draining.
    void start_draining() { draining_ = true; }
    [[nodiscard]] const HttpCounters& counters() const { return counters_; }

  private:
    using TimePoint = std::chrono::steady_clock::time_point;
    std::optional<HttpAnswer> refuse_sender(const HttpRequest& request, const HttpSettings& http,
                                            const std::optional<std::string>& agency,
                                            RejectReason& reason);
    void post_events(HttpRequest&& request, Reply&& reply, TimePoint received);
    void submit(std::string&& agency, uint64_t events, HttpRequest&& request, Reply&& reply,
                TimePoint received, std::shared_ptr<const Ruleset> ruleset,
                uint64_t max_event_bytes);
    void post_reload(const HttpRequest& request, Reply&& reply);
    std::optional<HttpAnswer> refuse_admin(const HttpRequest& request, const AgencyTable& agencies);
    std::optional<HttpAnswer> refuse_transfer_coding(const HttpRequest& request);
    HttpAnswer undelivered_answer(const std::string& agency, const IngestResult& result);
    // The request's settings: the snapshot it began under, else the current ones.
    std::shared_ptr<const LiveSettings> settings_of(const HttpRequest& request) const;
    bool decode_body(HttpRequest& request, const HttpSettings& limits, HttpAnswer& refusal,
                     RejectReason& reason);
    static bool check_lines(const HttpRequest& request, const HttpSettings& limits,
                            uint64_t& events, HttpAnswer& refusal);
    HttpAnswer readiness() const;

    IngestEngine& engine_;
    AgencyRegistry& agencies_;
    HttpSettings settings_;
    const LiveSettingsStore* live_ = nullptr;
    Logger& log_;
    Reloader reloader_;
    ExtraRoutes extra_;
    std::atomic<bool> draining_{false};
    HttpCounters counters_;
};

// The bearer token of an Authorization header ("Bearer abc" -> "abc"); empty if none.
std::string_view bearer_token(std::string_view authorization);
// The JSON answer to an ingest job.
std::string ingest_answer_json(const IngestResult& result);

}  // namespace vigie
