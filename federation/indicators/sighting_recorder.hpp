// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Sightings: when an indicator fires, this organisation saw it. The recorder counts hits
// per indicator (first and last time), keeps them in the store, and at each flush turns
// every changed one into a STIX 2.1 Sighting (count, first_seen, last_seen,
// where_sighted_refs = our identity; the indicator's TLP marking) handed to a publisher
// for the indicator's source peer, when its TLP lets it go there. The Sighting's id is
// derived from (indicator, identity), so each flush is a new version of the same object.
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "federation/indicators/indicator_store.hpp"
#include "pipeline/alerts/alert_sink.hpp"

namespace vigie {

struct SightingCount {
    int64_t first_seen_ms = 0;
    int64_t last_seen_ms = 0;
    uint64_t count = 0;
};

// Sends STIX objects to a peer; false when it could not (they are offered again at the
// next flush).
using SightingPublisher =
    std::function<bool(const std::string& peer, const std::vector<std::string>& objects)>;
// Whether `peer` may receive an object of this TLP (the peer's configured clearance).
using PeerClearanceCheck = std::function<bool(const std::string& peer, stix::Tlp tlp)>;

class SightingRecorder {
  public:
    SightingRecorder(IndicatorStore& store, std::string identity_id);

    // Set once before the first flush (the identity comes with the federation settings).
    void set_identity(std::string identity) {
        std::lock_guard lock(mutex_);
        identity_ = std::move(identity);
    }
    void record(std::string_view indicator_id, int64_t time_ms, uint64_t count = 1);
    // Builds the changed sightings, stores them, and publishes those that may leave.
    // Returns the number published.
    size_t flush(int64_t now_ms, const SightingPublisher& publish,
                 const PeerClearanceCheck& may_receive);

    // A STIX 2.1 sighting object (minified JSON).
    static std::string sighting_json(const std::string& indicator_id, const std::string& identity,
                                     const SightingCount& c, stix::Tlp tlp, int64_t now_ms);
    [[nodiscard]] uint64_t recorded() const;

  private:
    IndicatorStore& store_;
    std::string identity_;
    mutable std::mutex mutex_;
    std::map<std::string, SightingCount, std::less<>> pending_;    // changed since the last flush
    std::map<std::string, std::vector<std::string>> unpublished_;  // peer -> objects to retry
    uint64_t recorded_ = 0;
};

// An AlertSink in front of the real one: every indicator alert that was written is
// recorded as a sighting of its indicator (the record's indicator id).
class SightingTap final : public AlertSink {
  public:
    SightingTap(AlertSink& inner, SightingRecorder& recorder)
        : inner_(inner), recorder_(recorder) {}
    // The inner sink's Status, unchanged; sightings only of alerts that were written.
    Status write(std::span<const AlertRecord> alerts) override;
    void flush() override { inner_.flush(); }

  private:
    AlertSink& inner_;
    SightingRecorder& recorder_;
};

}  // namespace vigie
