// SPDX-License-Identifier: EUPL-1.2
#pragma once
// vigie serve's threat indicators (`indicators:` in the configuration): the store opened
// at start, the bundles imported, and what TAXII peers post fed to the same catalogue,
// every problem logged with its place and counted.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/logger.hpp"
#include "federation/indicators/indicator_catalog.hpp"
#include "federation/indicators/indicator_settings.hpp"
#include "federation/indicators/sighting_recorder.hpp"
#include "federation/misp/misp_feed.hpp"
#include "federation/sharing/indicator_channel.hpp"
#include "federation/sharing/indicator_figures.hpp"
#include "federation/sharing/indicator_import.hpp"
#include "federation/stix/tlp.hpp"

namespace vigie {

// The start-up was given up because the process was asked to stop while the MISP feeds
// were read: not a failure of the configuration.
struct IndicatorStartupStopped : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// What ServeIndicators needs besides the indicators: settings.
struct ServeIndicatorsSetup {
    std::string spool_directory;          // the store's default place (spool.directory)
    std::vector<std::string> rule_paths;  // the local rules (rules.paths): accepted Sigma
                                          // rules never replace one of them
    // indicators.share_over_nats: opens the channel to the other workers.
    IndicatorChannelOpener open_channel;
    // Whether the process was asked to stop (start-up blocks the stop signals): polled
    // while the MISP feeds are read at start; empty: never.
    std::function<bool()> stop_requested;
};

class ServeIndicators {
  public:
    // Disabled (catalog() null) unless settings.enabled; throws std::runtime_error when
    // the store cannot be opened (a start-up failure), IndicatorStartupStopped when a stop
    // was asked for during the start-up read of the MISP feeds.
    ServeIndicators(const IndicatorSettings& settings, ServeIndicatorsSetup setup, Logger& log);
    ~ServeIndicators();
    ServeIndicators(const ServeIndicators&) = delete;
    ServeIndicators& operator=(const ServeIndicators&) = delete;

    // The sink the engine writes alerts to: `inner`, behind a sighting tap when enabled.
    AlertSink& alert_sink(AlertSink& inner);
    // Flushes sightings every `interval_seconds` until stop(), publishing with `publish`
    // to the peers `may_receive` clears. `identity` is this organisation's STIX identity.
    void start_sightings(const std::string& identity, unsigned interval_seconds,
                         SightingPublisher publish, PeerClearanceCheck may_receive);
    // Stops the flushing (after one last flush) and the MISP feeds' polling.
    void stop();
    void add_figures(IndicatorFigures& f) const;
    // Called when Sigma rules from peers were accepted into the rules (a reload applies them);
    // at once when some were accepted before it was set (bundles imported at start).
    void on_rules_accepted(std::function<void()> reload);

    [[nodiscard]] const IndicatorCatalog* catalog() const { return catalog_.get(); }
    // indicators.default_tlp: the TLP of objects without a TLP marking.
    [[nodiscard]] stix::Tlp default_tlp() const { return default_tlp_; }
    // Objects a TAXII peer posted into a collection: the indicators among them are matched
    // from now on (if the collection feeds detection).
    void on_taxii_objects(const std::string& collection, const std::string& peer,
                          const std::vector<std::string>& objects);
    [[nodiscard]] uint64_t rejected() const { return rejected_.load(); }

    // What import_from_peer did with one page of a polled peer.
    struct PeerImport {
        size_t refused = 0;  // objects refused (each logged with its place)
        bool kept = true;    // false: the store failed and nothing of the page was kept
        std::string error;
    };
    // Objects polled from a federation peer (federation/taxii/taxii_client.hpp): checked and
    // imported like a bundle, `peer` recorded as their source, `page_url` naming them in
    // the logs.
    PeerImport import_from_peer(const std::string& peer, const std::string& page_url,
                                const std::vector<std::string>& objects);
    // The store (null when disabled): the federation keeps its positions in its state.
    [[nodiscard]] IndicatorStore* store() const { return store_.get(); }

  private:
    void flush_loop(unsigned interval_seconds);
    void misp_poll_loop(unsigned interval_seconds);
    // The feeds' first read; a SIGTERM meanwhile cancels it and throws NatsStartupStopped.
    void import_misp_at_start();
    // Reads a MISP feed (only what changed since the last read); `polled`: not at start,
    // so a read that found nothing logs nothing.
    void import_misp(const std::string& location, bool polled = false);
    void accept_sigma_rules(const std::string& source);
    void reload_rules();
    void share(const std::string& source, const std::vector<stix::Indicator>& indicators);
    void receive_shared(const std::string& source, const std::string& objects);
    PeerImport import(std::string text, const std::string& origin, const std::string& source);

    Logger& log_;
    IndicatorSettings settings_;
    stix::Tlp default_tlp_ = stix::Tlp::Amber;
    std::unique_ptr<IndicatorStore> store_;
    std::unique_ptr<IndicatorCatalog> catalog_;
    std::atomic<uint64_t> rejected_{0};
    std::unique_ptr<SightingRecorder> sightings_;
    std::unique_ptr<SightingTap> tap_;
    SightingPublisher publish_;
    PeerClearanceCheck may_receive_;
    std::atomic<uint64_t> published_{0};
    std::mutex stop_mutex_;
    std::condition_variable stop_cv_;
    bool stopping_ = false;
    std::thread flusher_;
    std::atomic<bool> misp_cancel_{false};  // set by stop(): a poll in progress gives up
    std::thread misp_poller_;               // indicators.misp_interval_seconds
    std::map<std::string, misp::MispFeedMemory> misp_memory_;  // by feed; the poller's
    std::vector<std::string> rule_paths_;
    std::function<bool()> stop_requested_;
    std::mutex rules_accepted_mutex_;  // the callback is set while the exchange may import
    std::function<void()> rules_accepted_;
    bool rules_accepted_early_ = false;           // accepted before on_rules_accepted: reload then
    std::unique_ptr<IndicatorChannel> exchange_;  // indicators.share_over_nats
    static thread_local bool receiving_;
};

}  // namespace vigie
