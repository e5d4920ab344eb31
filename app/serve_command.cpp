// SPDX-License-Identifier: EUPL-1.2
// vigie serve: wires the configuration, the engine, the HTTP listener, the NATS input,
// metrics, reloads and signals together. The order of shutdown is the point of this
// file: stop taking work, finish and answer what was taken, flush, exit 0.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include "app/alert_pipeline.hpp"
#include "app/commands.hpp"
#include "app/config/config_reader.hpp"
#include "app/exit_report.hpp"
#include "app/serve_reload.hpp"
#include "app/serve_startup.hpp"
#include "core/input_limits.hpp"
#include "federation/sharing/serve_federation.hpp"
#include "federation/sharing/serve_indicators.hpp"
#include "federation/taxii/taxii_server.hpp"
#include "generated/version.hpp"
#include "metrics/metrics_pusher.hpp"
#include "metrics/serve_metrics.hpp"
#include "pipeline/engine/rule_counts.hpp"
#include "service/http/http_listener.hpp"
#include "service/http/metrics_handler.hpp"
#include "service/nats/jetstream_input.hpp"
#include "service/nats/jetstream_setup.hpp"
#include "service/nats/nats_indicator_channel.hpp"
#include "service/nats/startup_retry.hpp"

namespace vigie {

namespace {

namespace net = boost::asio;

// The configuration: the file's, or the defaults, with the command line's overrides.
std::optional<ServeConfig> serve_config(const ServeOptions& options) {
    ServeConfig config;
    if (!options.config_file.empty()) {
        Diagnostics diags;
        auto read = load_serve_config(options.config_file, diags);
        print_diagnostics(diags);
        if (!read) return std::nullopt;
        config = std::move(*read);
    }
    std::string error;
    if (!options.http_listen.empty()) {
        auto a = parse_listen_address(options.http_listen, error);
        if (!a) {
            std::fprintf(stderr, "vigie: --http-listen: %s\n", error.c_str());
            return std::nullopt;
        }
        config.http.listen = *a;
        config.places.keys.erase("http.listen");  // not the file's any more
    }
    if (!options.metrics_listen.empty()) {
        auto a = parse_listen_address(options.metrics_listen, error);
        if (!a) {
            std::fprintf(stderr, "vigie: --metrics-listen: %s\n", error.c_str());
            return std::nullopt;
        }
        config.metrics_listen = *a;
        config.places.keys.erase("metrics.listen");
    }
    if (!options.alert_format.empty()) config.alerts_format = options.alert_format;
    return config;
}

// What the main thread waits for: a signal's request to stop.
class StopRequest {
  public:
    void request() {
        {
            std::lock_guard lock(mutex_);
            requested_ = true;
        }
        cv_.notify_all();
    }
    void wait() {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] { return requested_; });
    }

  private:
    std::mutex mutex_;
    std::condition_variable cv_;
    bool requested_ = false;
};

// Signals on the io_context: SIGHUP reloads, SIGTERM/SIGINT stop.
void watch_signals(net::signal_set& signals, ServeReloader& reloader, StopRequest& stop,
                   Logger& log) {
    signals.async_wait([&](const boost::system::error_code& ec, int signo) {
        if (ec) return;
        if (signo == SIGHUP) {
            log.info("SIGHUP: reloading");
            reloader.request({});
            watch_signals(signals, reloader, stop, log);
            return;
        }
        log.info("stopping: draining queues",
                 {{"signal", signo == SIGTERM ? "SIGTERM" : "SIGINT"}});
        stop.request();
    });
}

// Publishes the components' counters as metrics once a second.
struct MetricsTicker {
    net::steady_timer timer;
    std::function<void()> publish;
    void tick() {
        publish();
        timer.expires_after(std::chrono::seconds(1));
        timer.async_wait([this](const boost::system::error_code& ec) {
            if (!ec) tick();
        });
    }
};

// Signals are handled by the io_context's signal_set, in the io threads: blocked here so
// that the other threads started later (workers, NATS, metrics) inherit the mask, and
// unblocked in the io threads only.
sigset_t block_serve_signals() {
    sigset_t mask;
    sigemptyset(&mask);
    for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&mask, s);
    pthread_sigmask(SIG_BLOCK, &mask, nullptr);
    return mask;
}

// The one count of rules /readyz and the metrics also give, and which rules are inactive
// (so that "14 read, 12 in use" is explained, not discovered).
void log_rule_counts(const Ruleset& ruleset, size_t documents, const std::string& mapping,
                     Logger& log) {
    const RuleCounts c = RuleCounts::of(ruleset, documents);
    log.info("rules loaded", {{"summary", c.text()},
                              {"read", c.read},
                              {"in_use", c.in_use},
                              {"inactive", c.inactive},
                              {"refused", c.refused},
                              {"mapping", mapping}});
    for (const auto& r : ruleset.rules()) {
        if (r.active) continue;
        log.info(
            "rule inactive: its logsource's product is not covered by the mapping",
            {{"rule", r.rule.id}, {"product", r.rule.logsource.product}, {"mapping", mapping}});
    }
}

// The checks `vigie config check` runs, each problem logged in the same words; the rules
// they compiled, when there is no error.
bool passes_startup_checks(const ServeConfig& config, Logger& log, LoadedRuleset& loaded) {
    StartupCheck check = check_serve_startup(config);
    for (size_t i = 0; i < check.diagnostics.size(); ++i) {
        const Diagnostic& d = check.diagnostics[i];
        log.log(d.severity == Severity::Error ? LogLevel::Error : LogLevel::Warning,
                i < check.configuration_diagnostics ? "configuration problem" : "rule problem",
                {{"problem", d.format()}});
    }
    if (check.errors > 0) {
        log.error(
            "not starting: the configuration or the rules have errors "
            "(vigie config check FILE lists them)",
            {{"errors", check.errors}});
        return false;
    }
    loaded = std::move(check.rules);
    log_rule_counts(*loaded.ruleset, loaded.documents, config.rules.mapping, log);
    return true;
}

// The components' plain counters. The engine's per-agency counts are not among them: the
// metrics fold them at scrape time (engine.figures()).
ServeSnapshot snapshot(const IngestHandler& handler, const HttpListener& listener,
                       const IngestEngine& engine, const JetStreamInput* nats,
                       const ServeReloader& reloader) {
    const HttpCounters& h = handler.counters();
    ServeSnapshot s;
    s.http_requests = h.requests;
    s.http_unauthorized = h.unauthorized;
    s.http_rate_limited = h.rate_limited;
    s.http_overloaded = h.overloaded;
    s.http_too_large = h.too_large;
    s.http_unsupported = h.unsupported;
    s.http_connections = listener.connections();
    s.http_in_progress = listener.requests_in_progress();
    s.http_evicted = listener.evicted();
    s.queued_jobs = engine.queued();
    s.queue_capacity = engine.capacity();
    s.ready = engine.ready();
    s.rules_loaded = engine.ruleset()->active_rules();
    if (nats != nullptr) {
        JetStreamStats n = nats->stats();
        s.nats_messages = n.messages;
        s.nats_acked = n.acked;
        s.nats_redelivered = n.redelivered;
        s.nats_dead_lettered = n.dead_lettered;
        s.nats_naked = n.naked;
        s.nats_in_flight = n.in_flight;
    }
    s.reloads_ok = reloader.succeeded();
    s.reloads_failed = reloader.refused();
    return s;
}

// The Pushgateway client, when one is configured (the configuration requires the metrics
// with it).
std::unique_ptr<MetricsPusher> make_pusher(const ServeConfig& config, ServeMetrics* metrics,
                                           Logger& log) {
    if (config.pushgateway.url.empty() || metrics == nullptr) return nullptr;
    std::vector<std::string> agency_ids;
    agency_ids.reserve(config.agencies.size());
    for (const auto& a : config.agencies) agency_ids.push_back(a.id);
    return std::make_unique<MetricsPusher>(*metrics, config.pushgateway, agency_ids,
                                           [&log](bool ok, const std::string& m) {
                                               if (ok) {
                                                   log.info(m);
                                               } else {
                                                   log.warn(m);
                                               }
                                           });
}

// The metrics listener: the ingest listener's deadlines, no TLS, no body, and slots for
// a few scrapers (a newcomer takes an idle connection's slot all the same).
HttpSettings metrics_http_settings(const ServeConfig& config) {
    HttpSettings s = config.http;
    s.listen = config.metrics_listen;
    s.tls = {};
    s.max_connections = 64;
    s.max_body_bytes = 1024;
    s.request_threads = 1;
    return s;
}

// How long the indicators' last sightings flush may take at shutdown before the
// federation's publisher is stopped under it (its transfer aborted).
constexpr std::chrono::seconds kLastSightingsFlushGrace{5};

// The indicators' last sightings flush publishes through the federation's publisher, so
// the indicators stop (their threads joined, that flush made) while the federation still
// runs; the federation stops after, at the latest kLastSightingsFlushGrace from now. Stopped
// the other way round, the flush ran on a stopped (then freed) publisher and the sightings
// of the last interval were lost.
void stop_indicators_then_federation(ServeIndicators& indicators, ServeFederation& federation) {
    std::mutex mutex;
    std::condition_variable flushed_cv;
    bool flushed = false;
    std::thread guard([&] {
        std::unique_lock lock(mutex);
        if (!flushed_cv.wait_for(lock, kLastSightingsFlushGrace, [&] { return flushed; }))
            federation.stop();  // a peer that does not answer: its transfer is aborted
    });
    indicators.stop();
    {
        std::lock_guard lock(mutex);
        flushed = true;
    }
    flushed_cv.notify_all();
    guard.join();
    federation.stop();
}

std::vector<std::thread> start_io_threads(net::io_context& io, Logger& log, sigset_t signals) {
    std::vector<std::thread> threads;
    threads.reserve(2);
    for (int i = 0; i < 2; ++i) {
        threads.emplace_back([&io, &log, signals] {
            pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);
            for (;;) {
                try {
                    io.run();
                    return;
                } catch (const std::exception& e) {  // one request's failure, not the server's
                    log.error("request failed", {{"error", e.what()}});
                }
            }
        });
    }
    return threads;
}

}  // namespace

int run_serve(const ServeOptions& options) {
    auto config = serve_config(options);
    if (!config) return 2;
    // Before any thread starts (the rules compile on several): every walk over untrusted
    // input reads these bounds without a lock.
    configure_input_limits(config->limits);
    Logger log(config->log_format, config->log_level);
    install_exit_report(config->log_format);  // a crash or an uncaught exception says so
    const sigset_t mask = block_serve_signals();
    LoadedRuleset loaded;
    if (!passes_startup_checks(*config, log, loaded)) return 1;
    if (config->agencies.empty())
        log.warn("no agencies configured: every POST /v1/events will be refused (401)");

    AlertPipeline alert_pipeline(*config, log);
    const unsigned threads =
        config->threads != 0 ? config->threads : std::max(1U, std::thread::hardware_concurrency());
    IngestEngineOptions engine_options{threads, config->queue_capacity,
                                       config->http.max_event_bytes, Level::Informational};
    engine_options.count_figures = config->metrics_enabled;
    engine_options.on_regex_limit =
        [&log, throttle = std::make_shared<LogThrottle>(std::chrono::seconds(10))](
            const std::string& rule, uint64_t evaluations) {
            uint64_t held_back = 0;
            if (!throttle->admit(held_back)) return;
            log.warn(
                "regex match limit hit: the test is undecided and the rule fired if it could "
                "hold (fail-closed); see vigie_rule_regex_limit_hits_total",
                {{"rule", rule}, {"evaluations", evaluations}, {"held_back", held_back}});
        };
    engine_options.alerts = alert_pipeline.alert_options();
    std::unique_ptr<ServeIndicators> indicators_owner;
    try {  // with indicators.share_over_nats, it waits for NATS as the input does
        indicators_owner = std::make_unique<ServeIndicators>(
            config->indicators,
            ServeIndicatorsSetup{config->spool.directory, config->rules.paths,
                                 nats_indicator_channel(config->nats, log), stop_signal_pending},
            log);
    } catch (const NatsStartupStopped& e) {
        log.info("stopped during start-up", {{"reason", e.what()}});
        return 0;
    } catch (const IndicatorStartupStopped& e) {
        log.info("stopped during start-up", {{"reason", e.what()}});
        return 0;
    }
    ServeIndicators& indicators = *indicators_owner;
    engine_options.alerts.indicators = indicators.catalog();
    IngestEngine engine(loaded.ruleset, alert_pipeline.format(),
                        indicators.alert_sink(alert_pipeline.sink()), engine_options);
    AgencyRegistry agencies(config->agencies, config->admin_token_sha256);
    // What each request begins under; a reload replaces it whole (app/serve_reload.hpp).
    LiveSettingsStore live({config->http, agencies.table(), loaded.ruleset});
    // Before the reloader: a reload still running at exit answers through the io_context.
    net::io_context io;
    ServeReloader reloader(options.config_file, *config,
                           {live, engine, agencies, alert_pipeline, log});
    indicators.on_rules_accepted([&reloader, &log] {
        reloader.request([&log](ReloadOutcome&& r) {
            if (!r.ok)
                log.warn("reload after accepting peers' Sigma rules refused",
                         {{"summary", r.summary}});
        });
    });
    // The TAXII 2.1 server (taxii.enabled): on the same listener, under /taxii2/ and its
    // API roots. Objects posted by peers are handed to `taxii_stored`.
    taxii::TaxiiServer taxii_server;
    ExtraRoutes taxii_routes;
    if (config->taxii.enabled) {
        std::string error;
        taxii::TaxiiHandler::ObjectsStored taxii_stored =
            [&log, &indicators](const std::string& collection, const std::string& peer,
                                const std::vector<std::string>& objects) {
                log.info("taxii: objects stored", {{"collection", collection},
                                                   {"peer", peer},
                                                   {"objects", uint64_t{objects.size()}}});
                indicators.on_taxii_objects(collection, peer, objects);
            };
        taxii_server = taxii::start_taxii_server(
            config->taxii, taxii::taxii_store_path(config->taxii, config->spool.directory),
            config->http.max_body_bytes, log, std::move(taxii_stored), error);
        if (!taxii_server.handler) {
            log.error("not starting: the TAXII store cannot be opened", {{"error", error}});
            return 1;
        }
        taxii::TaxiiHandler& taxii = *taxii_server.handler;
        taxii_routes = {[&taxii](std::string_view path) { return taxii.owns(path); },
                        [&taxii](const HttpRequest& request) { return taxii.handle(request); }};
        // The peers' credentials checked on the request header, before its body is read
        // (the handler checks them again on the whole request).
        taxii_routes.authenticate =
            [peers = std::make_shared<taxii::PeerDirectory>(config->taxii.peers)](
                const HttpRequest& head) -> std::optional<HttpAnswer> {
            if (peers->authenticate(head) != nullptr) return std::nullopt;
            HttpAnswer a = taxii::taxii_error(401, "unauthorized", "missing or wrong credentials");
            a.headers.emplace_back("WWW-Authenticate", R"(Basic realm="vigie TAXII")");
            return a;
        };
    }
    // Federation (federation.peers): the peers' TAXII collections polled into the
    // indicators, and the publisher of our sightings. Its destructor stops it (waits are
    // woken, transfers aborted) before the indicators it feeds go.
    std::unique_ptr<ServeFederation> federation;
    try {
        federation = std::make_unique<ServeFederation>(config->federation, indicators, log);
    } catch (const std::runtime_error& e) {
        log.error("not starting: federation", {{"error", e.what()}});
        return 1;
    }
    federation->start();
    // Sightings of indicators go back to the peer each indicator came from, through the
    // federation's publisher (which enforces TLP again on what it sends).
    if (taxii::TaxiiPublisher* publisher = federation->publisher()) {
        const auto& peers = config->federation.peers;
        indicators.start_sightings(
            config->federation.identity_id, config->indicators.sightings_interval_seconds,
            [publisher, &log](const std::string& peer, const std::vector<std::string>& objects) {
                taxii::PublishResult r = publisher->post_objects(peer, "", objects);
                if (!r.ok)
                    log.warn("sightings not delivered", {{"peer", peer}, {"error", r.error}});
                return r.ok;
            },
            [&peers](const std::string& peer, stix::Tlp tlp) {
                return std::any_of(peers.begin(), peers.end(), [&](const taxii::FederationPeer& p) {
                    return p.id == peer && !p.sightings_collection.empty() &&
                           stix::tlp_may_leave(tlp, {true, p.tlp_amber});
                });
            });
    }
    IngestHandler handler(
        engine, agencies, config->http, log,
        [&reloader](std::function<void(ReloadOutcome &&)> done) {
            reloader.request(std::move(done));
        },
        std::move(taxii_routes));
    handler.follow(live);
    HttpListener listener(io, config->http, handler, log, [&live] { return live.current(); });
    std::unique_ptr<ServeMetrics> metrics;
    if (config->metrics_enabled)
        metrics = std::make_unique<ServeMetrics>(
            config->metrics_listen.to_string(), [&engine] { return engine.figures(); },
            ServeMetricsOptions{kVersion, kDefaultMaxRuleLabels,
                                [&alert_pipeline] {
                                    ServeSnapshot now;  // the spool as it is at the scrape
                                    alert_pipeline.add_figures(now);
                                    return now.spool;
                                },
                                false});
    // GET /metrics on an HttpListener of its own (not a thread per connection): idle or
    // half-open connections cannot keep a scraper out.
    std::unique_ptr<MetricsHandler> metrics_handler;
    std::unique_ptr<HttpListener> metrics_listener;
    if (metrics) {
        metrics_handler =
            std::make_unique<MetricsHandler>([&metrics] { return metrics->exposition(); });
        metrics_listener = std::make_unique<HttpListener>(io, metrics_http_settings(*config),
                                                          *metrics_handler, log);
    }
    std::unique_ptr<MetricsPusher> pusher = make_pusher(*config, metrics.get(), log);
    std::unique_ptr<JetStreamInput> nats;
    if (config->nats.enabled) {
        nats = std::make_unique<JetStreamInput>(
            config->nats, engine, log,
            [&live](std::string_view a) { return live.current()->agencies->known(a); });
        try {  // retried up to nats.connect_retry_seconds (service/nats/jetstream_setup.hpp)
            nats->start();
        } catch (const NatsStartupStopped& e) {
            log.info("stopped during start-up", {{"reason", e.what()}});
            return 0;
        } catch (const std::runtime_error& e) {
            log.error("not starting: nats", {{"error", e.what()}});
            return 1;
        }
    }
    auto current_snapshot = [&] {
        ServeSnapshot s = snapshot(handler, listener, engine, nats.get(), reloader);
        alert_pipeline.add_figures(s);
        indicators.add_figures(s.indicators);
        federation->add_figures(s.indicators);
        return s;
    };
    MetricsTicker ticker{net::steady_timer(io), [&] {
                             if (metrics) metrics->publish(current_snapshot());
                         }};
    StopRequest stop;
    net::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
    watch_signals(signals, reloader, stop, log);
    alert_pipeline.start();
    listener.start();
    if (metrics_listener) metrics_listener->start();
    ticker.tick();
    if (pusher) pusher->start();
    const RuleCounts rules = RuleCounts::of(*loaded.ruleset, loaded.documents);
    log.info("serving", {{"http", config->http.listen.host + ":" + std::to_string(listener.port())},
                         {"metrics", metrics ? config->metrics_listen.host + ":" +
                                                   std::to_string(metrics_listener->port())
                                             : std::string("off")},
                         {"rules", rules.in_use},
                         {"rules_inactive", rules.inactive},
                         {"threads", threads},
                         {"nats", config->nats.enabled ? "on" : "off"}});
    std::vector<std::thread> io_threads = start_io_threads(io, log, mask);

    stop.wait();
    // Stop taking work, then finish what was taken: queued jobs run, their HTTP answers
    // are written and their NATS messages acknowledged, and the alerts are flushed.
    handler.start_draining();
    listener.stop();
    if (nats) nats->stop();
    engine.drain();
    if (nats) nats->close();
    // Every sighting is recorded now (the engine drained); no peer is polled from here on.
    stop_indicators_then_federation(indicators, *federation);
    alert_pipeline.stop();
    if (pusher) {  // the final counts, for a hub that cannot scrape this worker
        metrics->publish(current_snapshot());
        pusher->stop();
    }
    if (metrics_listener) metrics_listener->stop();
    for (int i = 0; i < 100 && listener.connections() > 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    io.stop();
    for (auto& t : io_threads) t.join();
    const IngestTotals totals = engine.totals();
    log.info("stopped", {{"jobs", totals.jobs},
                         {"events", totals.events},
                         {"rejected", totals.rejected},
                         {"alerts", totals.alerts}});
    return 0;
}

}  // namespace vigie
