// SPDX-License-Identifier: EUPL-1.2
#pragma once
// vigie serve's federation (`federation:` in the configuration): the pollers of the
// peers' TAXII collections, feeding the indicators, with their positions kept in the
// indicator store; and the publisher that sends our objects (sightings) to peers.
// Stopped by its destructor, or earlier by stop().
#include <chrono>
#include <memory>

#include "core/clock.hpp"
#include "core/logger.hpp"
#include "federation/sharing/indicator_figures.hpp"
#include "federation/sharing/serve_indicators.hpp"
#include "federation/taxii/federation_config.hpp"
#include "federation/taxii/federation_poller.hpp"
#include "federation/taxii/taxii_publisher.hpp"

namespace vigie {

class ServeFederation {
  public:
    // Nothing runs without federation.peers. Throws std::runtime_error when there are
    // peers but indicators are off, or a peer's secret file cannot be read.
    ServeFederation(const taxii::FederationSettings& settings, ServeIndicators& indicators,
                    Logger& log);
    ~ServeFederation();

    void start();
    void stop();
    [[nodiscard]] bool enabled() const { return poller_ != nullptr; }
    // Null when not enabled. Counters: one entry per peer (see federation_counters.hpp).
    [[nodiscard]] const std::deque<taxii::PeerPollCounters>* counters() const;
    [[nodiscard]] taxii::TaxiiPublisher* publisher() const { return publisher_.get(); }
    // Seconds since each polled peer's last successful poll (sync lag), for the metrics;
    // a peer never polled successfully counts from the start.
    void add_figures(IndicatorFigures& f) const;

  private:
    std::unique_ptr<taxii::PositionStore> positions_;
    std::unique_ptr<taxii::FederationPoller> poller_;
    std::unique_ptr<taxii::TaxiiPublisher> publisher_;
    int64_t started_unix_s_ = unix_now_s();
};

}  // namespace vigie
