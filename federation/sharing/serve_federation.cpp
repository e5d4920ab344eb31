// SPDX-License-Identifier: EUPL-1.2
#include "federation/sharing/serve_federation.hpp"

#include <chrono>
#include <stdexcept>

#include "federation/taxii/peer_credentials.hpp"

namespace vigie {

namespace {

// The positions in the indicator store's state table: they survive restarts with the
// indicators they led to.
class IndicatorStatePositions final : public taxii::PositionStore {
  public:
    explicit IndicatorStatePositions(IndicatorStore& store) : store_(store) {}
    std::optional<std::string> load(const std::string& key) override { return store_.state(key); }
    Status save(const std::string& key, const std::string& position) override {
        return store_.set_state(key, position);
    }

  private:
    IndicatorStore& store_;
};

std::vector<taxii::PeerCredentials> load_credentials(const taxii::FederationSettings& f) {
    std::vector<taxii::PeerCredentials> out;
    for (const auto& peer : f.peers) {
        auto c = taxii::load_peer_credentials(peer);
        if (!c) throw std::runtime_error(c.error().message);
        out.push_back(std::move(*c));
    }
    return out;
}

}  // namespace

ServeFederation::ServeFederation(const taxii::FederationSettings& f, ServeIndicators& indicators,
                                 Logger& log) {
    if (f.peers.empty()) return;
    if (indicators.store() == nullptr)
        throw std::runtime_error(
            "federation.peers needs indicators.enabled: true (polled "
            "indicators are kept and matched there)");
    std::vector<taxii::PeerCredentials> credentials = load_credentials(f);
    positions_ = std::make_unique<IndicatorStatePositions>(*indicators.store());
    taxii::ObjectSink sink = [&indicators](const std::string& peer, const std::string& page_url,
                                           const std::vector<std::string>& objects) {
        const ServeIndicators::PeerImport r = indicators.import_from_peer(peer, page_url, objects);
        return taxii::SinkOutcome{r.refused, r.kept, r.error};
    };
    publisher_ = std::make_unique<taxii::TaxiiPublisher>(f, credentials, indicators.default_tlp());
    poller_ = std::make_unique<taxii::FederationPoller>(f, std::move(credentials), *positions_,
                                                        std::move(sink), log);
}

ServeFederation::~ServeFederation() {
    stop();
}

void ServeFederation::start() {
    if (poller_) poller_->start();
}

void ServeFederation::stop() {
    if (publisher_) publisher_->stop();
    if (poller_) poller_->stop();
}

const std::deque<taxii::PeerPollCounters>* ServeFederation::counters() const {
    return poller_ ? &poller_->counters() : nullptr;
}

void ServeFederation::add_figures(IndicatorFigures& f) const {
    const auto* peers = counters();
    if (peers == nullptr) return;
    const double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    for (const auto& c : *peers) {
        const int64_t last = c.last_success_unix_s.load();
        f.sync_lag_seconds.emplace_back(
            c.peer, now - static_cast<double>(last != 0 ? last : started_unix_s_));
    }
}

}  // namespace vigie
