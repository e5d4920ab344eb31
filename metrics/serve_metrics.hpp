#pragma once
// The metrics of vigie serve, served on GET /metrics (prometheus-cpp's Exposer) beside
// the scan counters. The serve command takes a snapshot of its components' plain
// counters once a second and publishes it here, so that no request or event pays for a
// Prometheus update.
#include <cstdint>
#include <memory>
#include <string>

#include "metrics/scan_metrics.hpp"

namespace vigie {

struct ServeSnapshot {
    // HTTP
    uint64_t http_requests = 0;
    uint64_t http_unauthorized = 0;
    uint64_t http_rate_limited = 0;
    uint64_t http_overloaded = 0;
    uint64_t http_too_large = 0;
    uint64_t http_unsupported = 0;
    uint64_t http_connections = 0;
    // engine
    uint64_t queued_jobs = 0;
    bool ready = false;
    // NATS
    uint64_t nats_messages = 0;
    uint64_t nats_acked = 0;
    uint64_t nats_redelivered = 0;
    uint64_t nats_dead_lettered = 0;
    uint64_t nats_naked = 0;
    // reloads
    uint64_t reloads_ok = 0;
    uint64_t reloads_failed = 0;
};

class ServeMetrics {
  public:
    // Serves `scan`'s and its own metrics on http://ADDRESS/metrics ("127.0.0.1:9464").
    // Throws std::runtime_error when it cannot listen (a start-up failure).
    ServeMetrics(ScanMetrics& scan, const std::string& address);
    ~ServeMetrics();
    ServeMetrics(const ServeMetrics&) = delete;
    ServeMetrics& operator=(const ServeMetrics&) = delete;

    void publish(const ServeSnapshot& snapshot);
    // The port /metrics is served on (the one the kernel chose for port 0).
    [[nodiscard]] uint16_t port() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace vigie
