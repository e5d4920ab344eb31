// SPDX-License-Identifier: EUPL-1.2
#include "federation/indicators/sighting_recorder.hpp"

#include <chrono>

#include "core/clock.hpp"
#include "core/json_text.hpp"
#include "federation/stix/timestamp.hpp"
#include "pipeline/alerts/alert_id.hpp"

namespace vigie {
namespace {

// A name-based UUID (version 5 layout) from SHA-256 of the indicator and the identity.
std::string sighting_id(const std::string& indicator_id, const std::string& identity) {
    std::string hex;
    compute_alert_id(indicator_id, identity, "sighting", hex);
    hex[12] = '5';
    hex[16] = "89ab"[std::string_view("0123456789abcdef").find(hex[16]) & 3];
    return "sighting--" + hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) +
           "-" + hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

}  // namespace

SightingRecorder::SightingRecorder(IndicatorStore& store, std::string identity_id)
    : store_(store), identity_(std::move(identity_id)) {}

void SightingRecorder::record(std::string_view indicator_id, int64_t time_ms, uint64_t count) {
    std::lock_guard lock(mutex_);
    auto it = pending_.find(indicator_id);
    if (it == pending_.end())
        it = pending_.emplace(std::string(indicator_id), SightingCount{time_ms, time_ms, 0}).first;
    SightingCount& c = it->second;
    c.first_seen_ms = std::min(c.first_seen_ms, time_ms);
    c.last_seen_ms = std::max(c.last_seen_ms, time_ms);
    c.count += count;
    recorded_ += count;
}

uint64_t SightingRecorder::recorded() const {
    std::lock_guard lock(mutex_);
    return recorded_;
}

std::string SightingRecorder::sighting_json(const std::string& indicator_id,
                                            const std::string& identity, const SightingCount& c,
                                            stix::Tlp tlp, int64_t now) {
    std::string b = R"({"type":"sighting","spec_version":"2.1","id":")";
    b += sighting_id(indicator_id, identity);
    b += R"(","created":")" + stix::format_timestamp(c.first_seen_ms * 1000) + R"(","modified":")" +
         stix::format_timestamp(now * 1000) + R"(","sighting_of_ref":)";
    append_json_string(b, indicator_id);
    b += R"(,"count":)" + std::to_string(c.count) + R"(,"first_seen":")" +
         stix::format_timestamp(c.first_seen_ms * 1000) + R"(","last_seen":")" +
         stix::format_timestamp(c.last_seen_ms * 1000) + R"(","where_sighted_refs":[)";
    append_json_string(b, identity);
    b += R"(],"created_by_ref":)";
    append_json_string(b, identity);
    b += R"(,"object_marking_refs":[")" + std::string(stix::tlp_marking_id(tlp)) + "\"]}";
    return b;
}

size_t SightingRecorder::flush(int64_t now, const SightingPublisher& publish,
                               const PeerClearanceCheck& may_receive) {
    std::map<std::string, SightingCount, std::less<>> changed;
    std::map<std::string, std::vector<std::string>> by_peer;
    {
        std::lock_guard lock(mutex_);
        changed.swap(pending_);
        by_peer.swap(unpublished_);
    }
    for (auto& [id, fresh] : changed) {
        const SightingTotal t = store_.add_sighting(id, fresh);
        const SightingCount total{t.first_seen_ms, t.last_seen_ms, t.count};
        auto origin = store_.origin(id);
        if (!origin) continue;  // evicted since it fired
        if (!may_receive(origin->source, origin->tlp)) continue;
        by_peer[origin->source].push_back(sighting_json(id, identity_, total, origin->tlp, now));
    }
    size_t published = 0;
    for (auto& [peer, objects] : by_peer) {
        if (publish && publish(peer, objects)) {
            published += objects.size();
            continue;
        }
        std::lock_guard lock(mutex_);
        auto& retry = unpublished_[peer];
        // Newer versions of the same sightings follow; keep a bounded backlog per peer.
        if (retry.size() < 100000) retry.insert(retry.end(), objects.begin(), objects.end());
    }
    return published;
}

Status SightingTap::write(std::span<const AlertRecord> alerts) {
    Status written = inner_.write(alerts);
    if (!written) return written;
    const int64_t now = unix_now_ms();
    for (const AlertRecord& alert : alerts) {
        if (alert.is_indicator()) recorder_.record(alert.indicator_id, now);
    }
    return written;
}

}  // namespace vigie
