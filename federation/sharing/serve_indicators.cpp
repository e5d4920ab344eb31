// SPDX-License-Identifier: EUPL-1.2
#include "federation/sharing/serve_indicators.hpp"

#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <utility>

#include "core/input_limits.hpp"
#include "federation/sharing/sigma_indicators.hpp"
#include "federation/stix/json_depth.hpp"

namespace vigie {

namespace {

// vigie serve's report of an import: every problem a log record with its place.
class LoggedImportReport final : public ImportReport {
  public:
    // `polled`: a MISP feed read again, not at start: a read that found nothing says nothing.
    // `kept`: called with what the store kept, before the feed's summary record.
    LoggedImportReport(Logger& log, bool polled = false,
                       std::function<void(const ImportOutcome&)> kept = {})
        : log_(log), polled_(polled), kept_(std::move(kept)) {}

    void unreadable(const std::string& file) override {
        log_.error("indicator bundle cannot be read", {{"file", file}});
    }

    void imported(const ImportOutcome& r) override {
        const bool bundle = r.kind == IndicatorInput::Kind::Bundle;
        for (const auto& d : r.read_problems)
            log_.warn(bundle ? "indicator refused" : "MISP attribute refused",
                      {{"problem", d.format()}});
        if (!r.kept()) {
            log_.error(bundle ? "indicator store failed; the objects were not kept"
                              : "indicator store failed; the feed was not kept",
                       {{"origin", r.origin}, {"error", r.applied.error().message}});
            return;
        }
        const ApplyReport& applied = *r.applied;
        for (const auto& d : applied.diagnostics)
            log_.warn("indicator not matched per event", {{"problem", d.format()}});
        if (bundle) {
            log_.info("indicators imported", {{"origin", r.origin},
                                              {"objects", uint64_t{r.objects}},
                                              {"new", uint64_t{applied.added}},
                                              {"updated", uint64_t{applied.updated}},
                                              {"known", uint64_t{applied.stale}},
                                              {"refused", uint64_t{r.refused}}});
            return;
        }
        if (kept_) kept_(r);
        // A poll that found nothing new says nothing (every interval would log otherwise).
        if (polled_ && r.events == 0 && r.read_problems.empty()) return;
        log_.info("MISP feed imported", {{"origin", r.origin},
                                         {"events", uint64_t{r.events}},
                                         {"unchanged", uint64_t{r.unchanged}},
                                         {"indicators", uint64_t{r.indicators.size()}},
                                         {"new", uint64_t{applied.added}},
                                         {"updated", uint64_t{applied.updated}},
                                         {"skipped", uint64_t{r.skipped}}});
    }

  private:
    Logger& log_;
    bool polled_;
    std::function<void(const ImportOutcome&)> kept_;
};

}  // namespace

thread_local bool ServeIndicators::receiving_ = false;

ServeIndicators::ServeIndicators(const IndicatorSettings& settings, ServeIndicatorsSetup setup,
                                 Logger& log)
    : log_(log), settings_(settings) {
    if (!settings_.enabled) return;
    default_tlp_ = stix::parse_tlp(settings_.default_tlp).value_or(stix::Tlp::Amber);
    const std::string path =
        settings_.store.empty() ? setup.spool_directory + "/indicators.sqlite" : settings_.store;
    auto opened = IndicatorStore::open(path, settings_.max_indicators);
    if (!opened) throw std::runtime_error(opened.error().message);
    store_ = std::move(opened).value();
    catalog_ = std::make_unique<IndicatorCatalog>(*store_);
    sightings_ = std::make_unique<SightingRecorder>(*store_, "");
    rule_paths_ = std::move(setup.rule_paths);
    stop_requested_ = std::move(setup.stop_requested);
    if (settings_.share_over_nats) {
        if (!setup.open_channel)
            throw std::logic_error("indicators.share_over_nats without an indicator channel");
        exchange_ =
            setup.open_channel([this](const std::string& source, const std::string& objects) {
                receive_shared(source, objects);
            });
    }
    log_.info("indicators loaded", {{"store", path}, {"indicators", uint64_t{store_->count()}}});
    LoggedImportReport report(log_);
    for (const auto& file : settings_.bundles) {
        auto text = read_bundle_file(file, report);
        if (!text) {
            ++rejected_;
            continue;
        }
        import(std::move(*text), file, file);
    }
    if (!settings_.misp_feeds.empty()) import_misp_at_start();
    if (!settings_.misp_feeds.empty() && settings_.misp_interval_seconds > 0) {
        misp_poller_ = std::thread(
            [this, interval = settings_.misp_interval_seconds] { misp_poll_loop(interval); });
    }
}

// Start-up runs with the stop signals blocked (they are handled once serving): a SIGTERM
// that comes while a slow or hung feed is read cancels the read, as stop() does a poll's,
// and start-up ends, instead of each event's transfer running to its 60 s limit.
void ServeIndicators::import_misp_at_start() {
    std::mutex mutex;
    std::condition_variable done_cv;
    bool done = false;
    std::thread watch([&] {
        std::unique_lock lock(mutex);
        // A pending signal cannot be waited for without taking it: 100 ms is a poll interval.
        while (!done_cv.wait_for(lock, std::chrono::milliseconds(100), [&] { return done; })) {
            if (stop_requested_ && stop_requested_()) {
                misp_cancel_ = true;
                return;
            }
        }
    });
    for (const auto& feed : settings_.misp_feeds) {
        if (misp_cancel_.load()) break;
        import_misp(feed);
    }
    {
        std::lock_guard lock(mutex);
        done = true;
    }
    done_cv.notify_all();
    watch.join();
    if (misp_cancel_.load())
        throw IndicatorStartupStopped("stopped while the MISP feeds were read at start-up");
}

// Reads the MISP feeds again every interval until stop(): the events new or changed
// since the last read become indicators, matched from then on.
void ServeIndicators::misp_poll_loop(unsigned interval_seconds) {
    std::unique_lock lock(stop_mutex_);
    while (!stop_cv_.wait_for(lock, std::chrono::seconds(interval_seconds),
                              [this] { return stopping_; })) {
        lock.unlock();
        for (const auto& feed : settings_.misp_feeds) {
            if (misp_cancel_.load()) break;
            import_misp(feed, true);
        }
        lock.lock();
    }
}

void ServeIndicators::import_misp(const std::string& location, bool polled) {
    // Published to the other workers before the feed's summary is logged.
    LoggedImportReport report(log_, polled, [this, &location](const ImportOutcome& kept) {
        if (!kept.indicators.empty()) share(location, kept.indicators);
    });
    IndicatorInput feed = IndicatorInput::misp_feed(location, location, location, default_tlp_);
    feed.cancel = &misp_cancel_;
    feed.memory = &misp_memory_[location];
    const ImportOutcome r = import_indicators(*catalog_, feed, report);
    rejected_ += r.lost();
}

ServeIndicators::PeerImport ServeIndicators::import(std::string text, const std::string& origin,
                                                    const std::string& source) {
    LoggedImportReport report(log_);
    const ImportOutcome r = import_indicators(
        *catalog_, IndicatorInput::bundle(std::move(text), origin, source, default_tlp_), report);
    rejected_ += r.lost();
    if (!r.kept()) return {r.refused, false, r.applied.error().message};
    if (r.applied->added + r.applied->updated > 0) {
        accept_sigma_rules(source);
        share(source, r.indicators);
    }
    return {r.refused, true, {}};
}

void ServeIndicators::share(const std::string& source,
                            const std::vector<stix::Indicator>& indicators) {
    if (!exchange_ || receiving_) return;
    std::vector<std::string> objects;
    objects.reserve(indicators.size());
    for (const auto& ind : indicators) objects.push_back(ind.json);
    exchange_->publish(source, objects);
}

void ServeIndicators::receive_shared(const std::string& source, const std::string& objects) {
    // Imported like any bundle, not published again (receiving_ is this thread's: the
    // exchange delivers on one thread).
    receiving_ = true;
    import(objects, "another worker (NATS)", source);
    receiving_ = false;
}

// Sigma rules from a peer listed in sigma_auto_accept become rules at once (checked, never
// over a local rule's id), and the rules are reloaded; from any other peer they wait for
// `vigie rules accept`.
void ServeIndicators::accept_sigma_rules(const std::string& source) {
    const auto& peers = settings_.sigma_auto_accept;
    if (std::find(peers.begin(), peers.end(), source) == peers.end()) return;
    size_t accepted = 0;
    for (const auto& rule : sigma_indicators(*store_)) {
        if (rule.source != source || rule.accepted) continue;
        Result<std::string> r =
            accept_sigma_indicator(*store_, rule, settings_.sigma_rules_dir, rule_paths_);
        if (r) {
            ++accepted;
            log_.info("Sigma rule from a peer accepted", {{"source", source}, {"rule", *r}});
        } else {
            log_.warn("Sigma rule from a peer not accepted",
                      {{"source", source}, {"why", r.error().message}});
        }
    }
    if (accepted > 0) reload_rules();
}

// Rules accepted while the indicators are loaded at start are written after the engine's
// rules were read: the reload they need waits for the callback instead of being lost.
void ServeIndicators::reload_rules() {
    std::function<void()> reload;
    {
        std::lock_guard lock(rules_accepted_mutex_);
        if (!rules_accepted_) {
            rules_accepted_early_ = true;
            return;
        }
        reload = rules_accepted_;
    }
    reload();
}

void ServeIndicators::on_rules_accepted(std::function<void()> reload) {
    bool early = false;
    {
        std::lock_guard lock(rules_accepted_mutex_);
        rules_accepted_ = std::move(reload);
        early = std::exchange(rules_accepted_early_, false);
    }
    if (early) reload_rules();
}

ServeIndicators::~ServeIndicators() {
    stop();
}

AlertSink& ServeIndicators::alert_sink(AlertSink& inner) {
    if (!catalog_) return inner;
    tap_ = std::make_unique<SightingTap>(inner, *sightings_);
    return *tap_;
}

void ServeIndicators::start_sightings(const std::string& identity, unsigned interval_seconds,
                                      SightingPublisher publish, PeerClearanceCheck may_receive) {
    if (!catalog_ || flusher_.joinable()) return;
    sightings_->set_identity(identity);
    publish_ = std::move(publish);
    may_receive_ = std::move(may_receive);
    flusher_ = std::thread([this, interval_seconds] { flush_loop(interval_seconds); });
}

void ServeIndicators::flush_loop(unsigned interval_seconds) {
    std::unique_lock lock(stop_mutex_);
    bool last = false;
    while (!last) {
        last = stop_cv_.wait_for(lock, std::chrono::seconds(interval_seconds),
                                 [this] { return stopping_; });
        lock.unlock();
        published_ += sightings_->flush(unix_now_us() / 1000, publish_, may_receive_);
        lock.lock();
    }
}

void ServeIndicators::stop() {
    {
        std::lock_guard lock(stop_mutex_);
        stopping_ = true;
    }
    misp_cancel_ = true;  // a poll in progress stops at once
    stop_cv_.notify_all();
    if (flusher_.joinable()) flusher_.join();
    if (misp_poller_.joinable()) misp_poller_.join();
}

void ServeIndicators::add_figures(IndicatorFigures& f) const {
    if (!catalog_) return;
    f.enabled = true;
    const IndicatorCounts c = catalog_->counts();
    for (const auto& [key, n] : c.by_type_tlp_source)
        f.live.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), n});
    f.stored = c.stored;
    f.max_stored = settings_.max_indicators;
    f.evictions = c.evictions;
    f.not_matched = c.not_matched;
    f.rejected = rejected_.load();
    f.matches = sightings_->recorded();
    f.sightings_published = published_.load();
}

void ServeIndicators::on_taxii_objects(const std::string& collection, const std::string& peer,
                                       const std::vector<std::string>& objects) {
    if (!catalog_) return;
    const auto& feeds = settings_.taxii_collections;
    if (!feeds.empty() && std::find(feeds.begin(), feeds.end(), collection) == feeds.end()) return;
    import_from_peer(peer, "taxii collection " + collection, objects);
}

namespace {

// An error when an object from `peer` is refused before it is read as STIX: not a JSON
// object (the bundle reader would stop there and lose the objects after it), or an id that
// another source gave us (a peer may not replace, nor revoke, the indicators of another
// peer or of a bundle file).
Status peer_admits(const IndicatorStore& store, simdjson::dom::parser& parser,
                   const std::string& object, const std::string& peer) {
    simdjson::dom::object o;
    const auto code = parser.parse(object).get_object().get(o);
    if (code == simdjson::DEPTH_ERROR) return Error{nesting_error_text()};
    if (code != simdjson::SUCCESS) return Error{"not a JSON object"};
    std::string_view id;
    if (o["id"].get_string().get(id) != simdjson::SUCCESS) return {};  // the reader says why
    const auto held = store.origin(std::string(id));
    if (held && held->source != peer)
        return Error{std::string(id) + " came from " + held->source +
                     ", which alone may change it"};
    return {};
}

}  // namespace

ServeIndicators::PeerImport ServeIndicators::import_from_peer(
    const std::string& peer, const std::string& page_url, const std::vector<std::string>& objects) {
    if (!catalog_) return {0, false, "indicators are not enabled"};
    const std::string origin = "federation peer " + peer + " " + page_url;
    simdjson::dom::parser parser;  // bounded: a page may pass on an object nested too deep
    if (!stix::limit_json_depth(parser)) return {0, false, "out of memory"};
    size_t refused_here = 0;
    std::string array = "[";
    for (size_t i = 0; i < objects.size(); ++i) {
        if (Status admitted = peer_admits(*store_, parser, objects[i], peer); !admitted) {
            std::string problem = origin;
            problem.append(": objects[")
                .append(std::to_string(i))
                .append("]: ")
                .append(admitted.error().message);
            log_.warn("indicator refused", {{"problem", problem}});
            ++refused_here;
            continue;
        }
        if (array.size() > 1) array += ',';
        array += objects[i];
    }
    array += ']';
    rejected_ += refused_here;
    PeerImport r = import(std::move(array), origin, peer);
    r.refused += refused_here;
    return r;
}

}  // namespace vigie
