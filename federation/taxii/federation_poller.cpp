// SPDX-License-Identifier: EUPL-1.2
#include "federation/taxii/federation_poller.hpp"

#include <chrono>

#include "core/clock.hpp"

namespace vigie::taxii {

FederationPoller::FederationPoller(const FederationSettings& settings,
                                   std::vector<PeerCredentials> credentials,
                                   PositionStore& positions, const ObjectSink& sink, Logger& log)
    : log_(log) {
    for (size_t i = 0; i < settings.peers.size(); ++i) {
        const FederationPeer& peer = settings.peers[i];
        PeerPollCounters& c = counters_.emplace_back();
        c.peer = peer.id;
        c.collection = peer.collection;
        clients_.push_back(std::make_unique<TaxiiClient>(
            peer, i < credentials.size() ? credentials[i] : PeerCredentials{}, positions, sink, c));
    }
}

FederationPoller::~FederationPoller() {
    stop();
}

void FederationPoller::start() {
    for (size_t i = 0; i < clients_.size(); ++i)
        threads_.emplace_back([this, i] { run(*clients_[i], counters_[i]); });
}

void FederationPoller::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_.store(true);
    }
    wake_.notify_all();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
    threads_.clear();
}

bool FederationPoller::wait(std::chrono::milliseconds delay) {
    std::unique_lock lock(mutex_);
    return !wake_.wait_for(lock, delay, [this] { return stopping_.load(); });
}

void FederationPoller::run(TaxiiClient& client, PeerPollCounters& counters) {
    const auto interval = std::chrono::seconds(client.peer().interval_seconds);
    const StopWait sleep = [this](std::chrono::milliseconds d) { return wait(d); };
    log_.info("federation: polling", {{"peer", client.peer().id},
                                      {"url", client.objects_url()},
                                      {"interval_seconds", client.peer().interval_seconds}});
    bool first = true;  // logged even when empty: where a restart resumed
    do {
        const PollReport r = client.poll(stopping_, sleep);
        if (r.interrupted) break;
        report(client, r, counters, first);
        first = false;
    } while (wait(interval));
}

void FederationPoller::report(const TaxiiClient& client, const PollReport& r,
                              PeerPollCounters& counters, bool first) {
    const std::string& peer = client.peer().id;
    if (!r.ok) {
        ++counters.polls_failed;
        log_.warn("federation: poll failed", {{"peer", peer},
                                              {"page", r.page_url},
                                              {"reason", r.error},
                                              {"objects", uint64_t{r.objects}},
                                              {"position", r.position}});
        return;
    }
    counters.last_success_unix_s.store(unix_now_s());
    if (r.capped)
        log_.warn("federation: max_objects_per_poll reached; the rest waits for the next poll",
                  {{"peer", peer}, {"objects", uint64_t{r.objects}}, {"position", r.position}});
    const LogLevel level = r.objects > 0 || first ? LogLevel::Info : LogLevel::Debug;
    log_.log(level, "federation: polled",
             {{"peer", peer},
              {"pages", uint64_t{r.pages}},
              {"objects", uint64_t{r.objects}},
              {"refused", uint64_t{r.refused}},
              {"position", r.position}});
}

}  // namespace vigie::taxii
