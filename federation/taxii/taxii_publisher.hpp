// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Publishing to federation peers: POST objects (our sightings) to a peer's TAXII 2.1
// collection, as one envelope, and read back the status resource it answers.
//
//   TaxiiPublisher& publisher = ...;   // ServeFederation::publisher() in vigie serve
//   PublishResult r = publisher.post_objects("cert-a", "", {sighting_json});
//   if (!r.ok) log r.error;            // r.success_count / r.failure_count otherwise
//
// TLP is enforced here, whatever the caller passes: an object goes to a peer only if
// stix::tlp_may_leave allows it for that peer (CLEAR, GREEN; AMBER only to peers with
// tlp_amber: true; AMBER+STRICT and RED never); objects without a TLP marking count as
// the configured default. Withheld and malformed objects are never sent, and counted.
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "federation/stix/tlp.hpp"
#include "federation/taxii/federation_config.hpp"
#include "federation/taxii/peer_credentials.hpp"
#include "federation/taxii/retry_backoff.hpp"

namespace vigie::taxii {

struct PublishResult {
    bool ok = false;       // the peer accepted the envelope (202 and a status resource)
    long http_status = 0;  // 0: no HTTP answer
    std::string error;     // why not ok
    std::string status_id;
    std::string status;  // "complete" or "pending"
    uint64_t success_count = 0;
    uint64_t failure_count = 0;
    uint64_t pending_count = 0;
    size_t sent = 0;      // objects in the envelope
    size_t withheld = 0;  // objects not sent: TLP, or not a valid STIX object
};

class TaxiiPublisher {
  public:
    // `credentials`: one per peer of `settings.peers`, in order (load_peer_credentials).
    TaxiiPublisher(const FederationSettings& settings, std::vector<PeerCredentials> credentials,
                   stix::Tlp default_tlp, BackoffPolicy backoff = {});

    // POSTs `objects_json` (STIX objects, each a JSON text) to
    // {peer url}collections/{collection}/objects/; `collection` empty: the peer's
    // sightings_collection. Blocks the calling thread for the exchange (retried on
    // connection errors, 429 and 5xx, with backoff). Thread-safe. When every object is
    // withheld nothing is posted and ok is false ("nothing to send"), so that a caller
    // never believes a withheld sighting was shared.
    PublishResult post_objects(const std::string& peer, const std::string& collection,
                               const std::vector<std::string>& objects_json);

    // Aborts the exchanges in progress; later calls fail at once (shutdown).
    void stop() { stopping_.store(true); }
    [[nodiscard]] uint64_t retries() const { return retries_.load(); }

  private:
    const FederationPeer* find(const std::string& peer, size_t& index) const;

    FederationSettings settings_;
    std::vector<PeerCredentials> credentials_;
    stix::Tlp default_tlp_;
    BackoffPolicy backoff_;
    std::atomic<bool> stopping_{false};
    std::atomic<uint64_t> retries_{0};
};

}  // namespace vigie::taxii
