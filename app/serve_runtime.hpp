// SPDX-License-Identifier: EUPL-1.2
#pragma once
// One running `vigie serve`: its parts, built in the order they depend on each other and
// destroyed in the reverse order. The members are declared in that order on purpose (the
// io_context outlives the reloader, whose last answer goes through it; the federation
// outlives the indicators' last sightings flush; the engine outlives its inputs): do not
// reorder them. The order of shutdown is the point of this class: stop taking work, finish
// and answer what was taken, flush, exit 0.
#include <signal.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "app/alert_pipeline.hpp"
#include "app/commands.hpp"
#include "app/config/serve_config.hpp"
#include "app/rule_loading.hpp"
#include "app/serve_reload.hpp"
#include "federation/sharing/serve_federation.hpp"
#include "federation/sharing/serve_indicators.hpp"
#include "federation/taxii/taxii_server.hpp"
#include "metrics/metrics_pusher.hpp"
#include "metrics/serve_metrics.hpp"
#include "pipeline/engine/ingest_engine.hpp"
#include "service/http/http_listener.hpp"
#include "service/http/ingest_handler.hpp"
#include "service/http/metrics_handler.hpp"
#include "service/nats/jetstream_input.hpp"

namespace vigie {

class StopRequest;
struct MetricsTicker;

class ServeRuntime {
  public:
    // `config`, `log` and `loaded` (the checked configuration and its compiled rules) must
    // outlive the runtime.
    ServeRuntime(const ServeOptions& options, const ServeConfig& config, Logger& log,
                 const LoadedRuleset& loaded);
    ~ServeRuntime();
    ServeRuntime(const ServeRuntime&) = delete;
    ServeRuntime& operator=(const ServeRuntime&) = delete;

    // Builds every part; an exit status when vigie serve must not go on (1: a part cannot
    // start; 0: a stop was asked for during start-up).
    std::optional<int> start();
    // Serves until SIGTERM or SIGINT, then drains; the exit status (0). `signals`: the
    // mask block_serve_signals() set, unblocked in the io threads only.
    int serve_until_stopped(sigset_t signals);

  private:
    IngestEngineOptions engine_options();
    std::optional<int> start_indicators();
    std::optional<int> start_taxii();
    std::optional<int> start_federation();
    void start_sightings();
    void start_http();
    void start_metrics();
    std::optional<int> start_nats();
    ServeSnapshot current_snapshot();
    void log_serving();
    void drain();

    const ServeOptions& options_;
    const ServeConfig& config_;
    Logger& log_;
    const LoadedRuleset& loaded_;
    unsigned threads_;
    AlertPipeline alert_pipeline_;
    std::unique_ptr<ServeIndicators> indicators_;
    std::unique_ptr<IngestEngine> engine_;
    std::unique_ptr<AgencyRegistry> agencies_;
    // What each request begins under; a reload replaces it whole (app/serve_reload.hpp).
    std::unique_ptr<LiveSettingsStore> live_;
    // Before the reloader: a reload still running at exit answers through the io_context.
    boost::asio::io_context io_;
    std::unique_ptr<ServeReloader> reloader_;
    taxii::TaxiiServer taxii_server_;
    ExtraRoutes taxii_routes_;
    // Its destructor stops it (waits woken, transfers aborted) before the indicators it
    // feeds go.
    std::unique_ptr<ServeFederation> federation_;
    std::unique_ptr<IngestHandler> handler_;
    std::unique_ptr<HttpListener> listener_;
    std::unique_ptr<ServeMetrics> metrics_;
    std::unique_ptr<MetricsHandler> metrics_handler_;
    std::unique_ptr<HttpListener> metrics_listener_;
    std::unique_ptr<MetricsPusher> pusher_;
    std::unique_ptr<JetStreamInput> nats_;
    std::unique_ptr<MetricsTicker> ticker_;
    std::unique_ptr<StopRequest> stop_;
    std::unique_ptr<boost::asio::signal_set> signals_;
    std::vector<std::thread> io_threads_;
};

}  // namespace vigie
