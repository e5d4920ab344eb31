// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The federation's pollers: one thread per peer, each polling its peer's collection every
// interval_seconds (from the end of one poll to the start of the next), logging what
// failed with the peer, the page URL and the reason. stop() returns promptly: it wakes
// the waits and aborts the transfers in progress.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/logger.hpp"
#include "federation/taxii/federation_config.hpp"
#include "federation/taxii/federation_counters.hpp"
#include "federation/taxii/taxii_client.hpp"

namespace vigie::taxii {

class FederationPoller {
  public:
    // `credentials` holds one entry per peer of `settings.peers`, in order.
    FederationPoller(const FederationSettings& settings, std::vector<PeerCredentials> credentials,
                     PositionStore& positions, const ObjectSink& sink, Logger& log);
    ~FederationPoller();
    FederationPoller(const FederationPoller&) = delete;
    FederationPoller& operator=(const FederationPoller&) = delete;

    void start();
    void stop();
    // One entry per peer, in the configuration's order; stable for the poller's life.
    [[nodiscard]] const std::deque<PeerPollCounters>& counters() const { return counters_; }

  private:
    void run(TaxiiClient& client, PeerPollCounters& counters);
    void report(const TaxiiClient& client, const PollReport& r, PeerPollCounters& counters,
                bool first);
    // Sleeps up to `delay`; false when stop() was called.
    bool wait(std::chrono::milliseconds delay);

    Logger& log_;
    std::deque<PeerPollCounters> counters_;  // deque: atomics never move
    std::vector<std::unique_ptr<TaxiiClient>> clients_;
    std::vector<std::thread> threads_;
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::condition_variable wake_;
};

}  // namespace vigie::taxii
