// SPDX-License-Identifier: EUPL-1.2
#include "app/serve_runtime.hpp"

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <mutex>

#include "app/exit_report.hpp"
#include "generated/version.hpp"
#include "pipeline/engine/rule_counts.hpp"
#include "service/nats/jetstream_setup.hpp"
#include "service/nats/nats_indicator_channel.hpp"
#include "service/nats/startup_retry.hpp"

namespace vigie {

namespace net = boost::asio;

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

namespace {

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

}  // namespace

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

namespace {

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

ServeRuntime::ServeRuntime(const ServeOptions& options, const ServeConfig& config, Logger& log,
                           const LoadedRuleset& loaded)
    : options_(options),
      config_(config),
      log_(log),
      loaded_(loaded),
      threads_(config.threads != 0 ? config.threads
                                   : std::max(1U, std::thread::hardware_concurrency())),
      alert_pipeline_(config, log) {}

ServeRuntime::~ServeRuntime() = default;

IngestEngineOptions ServeRuntime::engine_options() {
    IngestEngineOptions o{threads_, config_.queue_capacity, config_.http.max_event_bytes,
                          Level::Informational};
    o.count_figures = config_.metrics_enabled;
    o.on_regex_limit = [&log = log_,
                        throttle = std::make_shared<LogThrottle>(std::chrono::seconds(10))](
                           const std::string& rule, uint64_t evaluations) {
        uint64_t held_back = 0;
        if (!throttle->admit(held_back)) return;
        log.warn(
            "regex match limit hit: the test is undecided and the rule fired if it could "
            "hold (fail-closed); see vigie_rule_regex_limit_hits_total",
            {{"rule", rule}, {"evaluations", evaluations}, {"held_back", held_back}});
    };
    o.alerts = alert_pipeline_.alert_options();
    o.alerts.indicators = indicators_->catalog();
    return o;
}

std::optional<int> ServeRuntime::start() {
    if (auto status = start_indicators()) return status;
    engine_ = std::make_unique<IngestEngine>(loaded_.ruleset, alert_pipeline_.format(),
                                             indicators_->alert_sink(alert_pipeline_.sink()),
                                             engine_options());
    agencies_ = std::make_unique<AgencyRegistry>(config_.agencies, config_.admin_token_sha256);
    live_ = std::make_unique<LiveSettingsStore>(
        LiveSettings{config_.http, agencies_->table(), loaded_.ruleset});
    reloader_ = std::make_unique<ServeReloader>(
        options_.config_file, config_,
        ReloadTargets{*live_, *engine_, *agencies_, alert_pipeline_, log_});
    indicators_->on_rules_accepted([this] {
        reloader_->request([this](ReloadOutcome&& r) {
            if (!r.ok)
                log_.warn("reload after accepting peers' Sigma rules refused",
                          {{"summary", r.summary}});
        });
    });
    if (auto status = start_taxii()) return status;
    if (auto status = start_federation()) return status;
    start_sightings();
    start_http();
    start_metrics();
    return start_nats();
}

std::optional<int> ServeRuntime::start_indicators() {
    try {  // with indicators.share_over_nats, it waits for NATS as the input does
        indicators_ = std::make_unique<ServeIndicators>(
            config_.indicators,
            ServeIndicatorsSetup{config_.spool.directory, config_.rules.paths,
                                 nats_indicator_channel(config_.nats, log_), stop_signal_pending},
            log_);
    } catch (const NatsStartupStopped& e) {
        log_.info("stopped during start-up", {{"reason", e.what()}});
        return 0;
    } catch (const IndicatorStartupStopped& e) {
        log_.info("stopped during start-up", {{"reason", e.what()}});
        return 0;
    }
    return std::nullopt;
}

// The TAXII 2.1 server (taxii.enabled): on the same listener, under /taxii2/ and its API
// roots. Objects posted by peers go to the indicators.
std::optional<int> ServeRuntime::start_taxii() {
    if (!config_.taxii.enabled) return std::nullopt;
    taxii::TaxiiHandler::ObjectsStored stored = [this](const std::string& collection,
                                                       const std::string& peer,
                                                       const std::vector<std::string>& objects) {
        log_.info(
            "taxii: objects stored",
            {{"collection", collection}, {"peer", peer}, {"objects", uint64_t{objects.size()}}});
        indicators_->on_taxii_objects(collection, peer, objects);
    };
    auto started = taxii::start_taxii_server(
        config_.taxii, taxii::taxii_store_path(config_.taxii, config_.spool.directory),
        config_.http.max_body_bytes, log_, std::move(stored));
    if (!started) {
        log_.error("not starting: the TAXII store cannot be opened",
                   {{"error", started.error().message}});
        return 1;
    }
    taxii_server_ = std::move(started).value();
    taxii::TaxiiHandler& taxii = *taxii_server_.handler;
    taxii_routes_ = {[&taxii](std::string_view path) { return taxii.owns(path); },
                     [&taxii](const HttpRequest& request) { return taxii.handle(request); }};
    // The peers' credentials checked on the request header, before its body is read (the
    // handler checks them again on the whole request).
    taxii_routes_.authenticate = [peers =
                                      std::make_shared<taxii::PeerDirectory>(config_.taxii.peers)](
                                     const HttpRequest& head) -> std::optional<HttpAnswer> {
        if (peers->authenticate(head) != nullptr) return std::nullopt;
        HttpAnswer a = taxii::taxii_error(401, "unauthorized", "missing or wrong credentials");
        a.headers.emplace_back("WWW-Authenticate", R"(Basic realm="vigie TAXII")");
        return a;
    };
    return std::nullopt;
}

// Federation (federation.peers): the peers' TAXII collections polled into the indicators,
// and the publisher of our sightings.
std::optional<int> ServeRuntime::start_federation() {
    try {
        federation_ = std::make_unique<ServeFederation>(config_.federation, *indicators_, log_);
    } catch (const std::runtime_error& e) {
        log_.error("not starting: federation", {{"error", e.what()}});
        return 1;
    }
    federation_->start();
    return std::nullopt;
}

// Sightings of indicators go back to the peer each indicator came from, through the
// federation's publisher (which enforces TLP again on what it sends).
void ServeRuntime::start_sightings() {
    taxii::TaxiiPublisher* publisher = federation_->publisher();
    if (publisher == nullptr) return;
    const auto& peers = config_.federation.peers;
    indicators_->start_sightings(
        config_.federation.identity_id, config_.indicators.sightings_interval_seconds,
        [publisher, this](const std::string& peer, const std::vector<std::string>& objects) {
            taxii::PublishResult r = publisher->post_objects(peer, "", objects);
            if (!r.ok) log_.warn("sightings not delivered", {{"peer", peer}, {"error", r.error}});
            return r.ok;
        },
        [&peers](const std::string& peer, stix::Tlp tlp) {
            return std::any_of(peers.begin(), peers.end(), [&](const taxii::FederationPeer& p) {
                return p.id == peer && !p.sightings_collection.empty() &&
                       stix::tlp_may_leave(tlp, {true, p.tlp_amber});
            });
        });
}

void ServeRuntime::start_http() {
    handler_ = std::make_unique<IngestHandler>(
        *engine_, *agencies_, config_.http, log_,
        [this](std::function<void(ReloadOutcome &&)> done) { reloader_->request(std::move(done)); },
        std::move(taxii_routes_));
    handler_->follow(*live_);
    listener_ = std::make_unique<HttpListener>(io_, config_.http, *handler_, log_,
                                               [this] { return live_->current(); });
}

// /metrics on an HttpListener of its own (not a thread per connection): idle or half-open
// connections cannot keep a scraper out; and the Pushgateway pusher.
void ServeRuntime::start_metrics() {
    if (config_.metrics_enabled) {
        metrics_ = std::make_unique<ServeMetrics>(
            config_.metrics_listen.to_string(), [this] { return engine_->figures(); },
            ServeMetricsOptions{kVersion, kDefaultMaxRuleLabels,
                                [this] {
                                    ServeSnapshot now;  // the spool as it is at the scrape
                                    alert_pipeline_.add_figures(now);
                                    return now.spool;
                                },
                                false});
        metrics_handler_ =
            std::make_unique<MetricsHandler>([this] { return metrics_->exposition(); });
        metrics_listener_ = std::make_unique<HttpListener>(io_, metrics_http_settings(config_),
                                                           *metrics_handler_, log_);
    }
    pusher_ = make_pusher(config_, metrics_.get(), log_);
}

std::optional<int> ServeRuntime::start_nats() {
    if (!config_.nats.enabled) return std::nullopt;
    nats_ = std::make_unique<JetStreamInput>(
        config_.nats, *engine_, log_,
        [this](std::string_view a) { return live_->current()->agencies->known(a); });
    try {  // retried up to nats.connect_retry_seconds (service/nats/jetstream_setup.hpp)
        nats_->start();
    } catch (const NatsStartupStopped& e) {
        log_.info("stopped during start-up", {{"reason", e.what()}});
        return 0;
    } catch (const std::runtime_error& e) {
        log_.error("not starting: nats", {{"error", e.what()}});
        return 1;
    }
    return std::nullopt;
}

ServeSnapshot ServeRuntime::current_snapshot() {
    ServeSnapshot s = snapshot(*handler_, *listener_, *engine_, nats_.get(), *reloader_);
    alert_pipeline_.add_figures(s);
    indicators_->add_figures(s.indicators);
    federation_->add_figures(s.indicators);
    return s;
}

int ServeRuntime::serve_until_stopped(sigset_t signals) {
    // new + braces: an aggregate (clang 14 has no parenthesised aggregate initialisation).
    ticker_.reset(new MetricsTicker{net::steady_timer(io_), [this] {
                                        if (metrics_) metrics_->publish(current_snapshot());
                                    }});
    stop_ = std::make_unique<StopRequest>();
    signals_ = std::make_unique<net::signal_set>(io_, SIGTERM, SIGINT, SIGHUP);
    watch_signals(*signals_, *reloader_, *stop_, log_);
    alert_pipeline_.start();
    listener_->start();
    if (metrics_listener_) metrics_listener_->start();
    ticker_->tick();
    if (pusher_) pusher_->start();
    log_serving();
    io_threads_ = start_io_threads(io_, log_, signals);
    stop_->wait();
    drain();
    return 0;
}

void ServeRuntime::log_serving() {
    const RuleCounts rules = RuleCounts::of(*loaded_.ruleset, loaded_.documents);
    log_.info("serving",
              {{"http", config_.http.listen.host + ":" + std::to_string(listener_->port())},
               {"metrics", metrics_ ? config_.metrics_listen.host + ":" +
                                          std::to_string(metrics_listener_->port())
                                    : std::string("off")},
               {"rules", rules.in_use},
               {"rules_inactive", rules.inactive},
               {"threads", threads_},
               {"nats", config_.nats.enabled ? "on" : "off"}});
}

// Stop taking work, then finish what was taken: queued jobs run, their HTTP answers are
// written and their NATS messages acknowledged, and the alerts are flushed.
void ServeRuntime::drain() {
    handler_->start_draining();
    listener_->stop();
    if (nats_) nats_->stop();
    engine_->drain();
    if (nats_) nats_->close();
    // Every sighting is recorded now (the engine drained); no peer is polled from here on.
    stop_indicators_then_federation(*indicators_, *federation_);
    alert_pipeline_.stop();
    if (pusher_) {  // the final counts, for a hub that cannot scrape this worker
        metrics_->publish(current_snapshot());
        pusher_->stop();
    }
    if (metrics_listener_) metrics_listener_->stop();
    for (int i = 0; i < 100 && listener_->connections() > 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    io_.stop();
    for (auto& t : io_threads_) t.join();
    io_threads_.clear();
    const IngestTotals totals = engine_->totals();
    log_.info("stopped", {{"jobs", totals.jobs},
                          {"events", totals.events},
                          {"rejected", totals.rejected},
                          {"alerts", totals.alerts}});
}

}  // namespace vigie
