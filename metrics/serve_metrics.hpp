// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The metrics of vigie serve, served on GET /metrics (prometheus-cpp's Exposer) and pushed
// to a Pushgateway (MetricsPusher). Nothing on the request or event path touches
// Prometheus: the serve command publishes a snapshot of its components' plain counters
// once a second, and the engine's per-worker counters are folded when a scrape or a push
// asks for them (the `ingest` callback), so that they are exact at that moment.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "federation/sharing/indicator_figures.hpp"
#include "pipeline/engine/ingest_figures.hpp"

namespace prometheus {
class Collectable;
}

namespace vigie {

// The local spool, as the spool reports it. `enabled` false: no spool family is exposed.
struct SpoolFigures {
    bool enabled = false;
    uint64_t bytes = 0;         // on disk, every segment not yet deleted
    uint64_t max_bytes = 0;     // spool.max_bytes
    bool full = false;          // ingest is refused (503, NATS nak) until outputs catch up
    uint64_t refused_full = 0;  // appends refused because the spool was full, since start
};

// One alert output (alerts.outputs), by its configured name (a bounded label).
struct OutputFigures {
    std::string name;
    uint64_t delivered = 0;             // alerts delivered, since start
    uint64_t errors = 0;                // failed deliveries (each one is retried)
    uint64_t retries = 0;               // deliveries attempted again after an error
    uint64_t pending_alerts = 0;        // in the spool, not yet delivered by this output
    double oldest_pending_seconds = 0;  // age of the oldest of them; 0 when none
    uint64_t dead_lettered = 0;         // alerts the upstream refused for good, since start
};

struct ServeSnapshot {
    // HTTP
    uint64_t http_requests = 0;
    uint64_t http_unauthorized = 0;
    uint64_t http_rate_limited = 0;
    uint64_t http_overloaded = 0;
    uint64_t http_too_large = 0;
    uint64_t http_unsupported = 0;
    uint64_t http_connections = 0;
    uint64_t http_in_progress = 0;  // requests on the worker pools, not yet answered
    uint64_t http_evicted = 0;      // idle unauthenticated connections closed for a newcomer
    // engine
    uint64_t queued_jobs = 0;
    uint64_t queue_capacity = 0;
    bool ready = false;
    uint64_t rules_loaded = 0;  // rules of the ruleset in use (after the last reload)
    // NATS
    uint64_t nats_messages = 0;
    uint64_t nats_acked = 0;
    uint64_t nats_redelivered = 0;
    uint64_t nats_dead_lettered = 0;
    uint64_t nats_naked = 0;
    uint64_t nats_in_flight = 0;  // fetched, not yet acknowledged
    // reloads
    uint64_t reloads_ok = 0;
    uint64_t reloads_failed = 0;
    // store and forward
    SpoolFigures spool;
    std::vector<OutputFigures> outputs;
    IndicatorFigures indicators;
};

struct ServeMetricsOptions {
    std::string version;  // vigie_build_info{version}
    // Rule ids exposed as their own vigie_rule_matches_total series, the first ones to
    // match; the matches of any other rule are counted under rule_id="_other".
    size_t max_rule_labels = kDefaultMaxRuleLabels;
    // The spool's figures, read at each scrape and push (thread-safe), so that the spool
    // gauges are those of the moment a refusal is seen, not of the last snapshot; empty:
    // the snapshot's.
    std::function<SpoolFigures()> spool{};
    // False: no listener of its own (vigie serve serves exposition() on an HttpListener,
    // whose slot policy idle connections cannot defeat); port() is then 0.
    bool serve_http = true;
};

class ServeMetrics {
  public:
    using IngestSource = std::function<IngestFigures()>;
    // Serves the metrics on http://ADDRESS/metrics ("127.0.0.1:9464") unless
    // options.serve_http is false (then ADDRESS is unused). `ingest` is called
    // at each scrape and push, from the exposer's or the pusher's thread: it must be
    // thread-safe and outlive this object. Throws std::runtime_error when it cannot listen
    // (a start-up failure).
    ServeMetrics(const std::string& address, IngestSource ingest,
                 const ServeMetricsOptions& options);
    ~ServeMetrics();
    ServeMetrics(const ServeMetrics&) = delete;
    ServeMetrics& operator=(const ServeMetrics&) = delete;

    void publish(const ServeSnapshot& snapshot);
    // The port /metrics is served on (the one the kernel chose for port 0).
    [[nodiscard]] uint16_t port() const;
    // What GET /metrics answers (the Prometheus text format).
    [[nodiscard]] std::string exposition() const;
    // The pusher's failures, exposed as vigie_pushgateway_errors_total.
    void count_push_error();

    // For MetricsPusher: the one collectable holding every family.
    [[nodiscard]] std::shared_ptr<prometheus::Collectable> collectable() const;

  private:
    class Families;
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace vigie
