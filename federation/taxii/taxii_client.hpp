// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The TAXII 2.1 client of one federation peer: a poll reads the peer's collection from
// where the previous one stopped (GET {url}collections/{id}/objects/?added_after=&limit=,
// following more/next), hands each page's objects to a sink that checks and imports
// them, and only then moves the saved position past that page. What a peer can do to
// us is bounded: a page's body by max_page_bytes (reading stops there), its objects by
// page_limit, a poll's objects by max_objects_per_poll (the rest waits for the next
// poll). Every failure is a value in the report, never an exception.
#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "federation/taxii/federation_config.hpp"
#include "federation/taxii/federation_counters.hpp"
#include "federation/taxii/peer_credentials.hpp"
#include "federation/taxii/position_store.hpp"
#include "federation/taxii/retry_backoff.hpp"

namespace vigie::taxii {

struct SinkOutcome {
    size_t refused = 0;  // objects of the page the sink refused (each one reported by it)
    bool kept = true;    // false: the sink could not keep the page (its store failed)
    std::string error;   // why not, when !kept
};

// Called with each page's objects, in order, on the poller's thread.
using ObjectSink = std::function<SinkOutcome(const std::string& peer, const std::string& page_url,
                                             const std::vector<std::string>& objects_json)>;

struct PollReport {
    bool ok = true;
    std::string error;     // why the poll stopped early
    std::string page_url;  // the request the error is about
    bool interrupted = false;
    bool capped = false;  // stopped at max_objects_per_poll; the next poll goes on
    size_t pages = 0;
    size_t objects = 0;
    size_t refused = 0;
    std::string position;  // where the next poll starts ("" from the beginning)
};

class TaxiiClient {
  public:
    TaxiiClient(FederationPeer peer, PeerCredentials credentials, PositionStore& positions,
                ObjectSink sink, PeerPollCounters& counters, BackoffPolicy backoff = {});

    // One poll. `stop` aborts it between and during requests; `wait` is how it sleeps
    // between retries.
    PollReport poll(const std::atomic<bool>& stop, const StopWait& wait);

    [[nodiscard]] const FederationPeer& peer() const { return peer_; }
    [[nodiscard]] std::string objects_url() const;
    [[nodiscard]] std::string page_url(const std::string& added_after,
                                       const std::string& next) const;

  private:
    // The position after a page: its X-TAXII-Date-Added-Last, else its greatest
    // date_added; kept only if it is a timestamp later than `current`.
    static std::optional<std::string> advanced(const std::string& current,
                                               const std::string& header,
                                               const std::string& greatest);
    // Keeps `position` and sets report.position to it; an error when it cannot be kept.
    Status save_position(const std::string& position, PollReport& report);

    FederationPeer peer_;
    PeerEndpoint endpoint_;
    PositionStore& positions_;
    ObjectSink sink_;
    PeerPollCounters& counters_;
    BackoffPolicy backoff_;
};

}  // namespace vigie::taxii
