// SPDX-License-Identifier: EUPL-1.2
#include "federation/taxii/taxii_publisher.hpp"

#include <simdjson.h>

#include <algorithm>
#include <thread>

#include "federation/stix/tlp_granular.hpp"
#include "federation/taxii/stix_object.hpp"

namespace vigie::taxii {

namespace {

// The objects this peer may receive, as an envelope; `withheld` counts the others.
std::string envelope_for(const std::vector<std::string>& objects, const stix::PeerClearance& peer,
                         stix::Tlp default_tlp, size_t& sent, size_t& withheld) {
    simdjson::dom::parser parser;
    std::string body = R"({"objects":[)";
    for (const auto& json : objects) {
        simdjson::dom::element element;
        CheckedObject checked;
        if (parser.parse(json).get(element) == simdjson::SUCCESS)
            checked = check_stix_object(element, default_tlp);
        if (!checked.record || !stix::tlp_may_leave(checked.record->tlp, peer)) {
            ++withheld;
            continue;
        }
        // Granular markings: what the peer may not receive is removed (stix::disclose).
        const stix::Disclosure d = stix::disclose(checked.record->json, default_tlp, peer);
        if (d.withheld) {
            ++withheld;
            continue;
        }
        if (sent++ > 0) body += ',';
        body += d.json;
    }
    return body + "]}";
}

// The status resource of a 202 (TAXII 2.1 section 4.3.1).
bool read_status(const std::string& body, PublishResult& r) {
    simdjson::dom::parser parser;
    simdjson::dom::object status;
    if (parser.parse(body).get_object().get(status) != simdjson::SUCCESS) return false;
    std::string_view id;
    std::string_view state;
    if (status["id"].get_string().get(id) != simdjson::SUCCESS ||
        status["status"].get_string().get(state) != simdjson::SUCCESS)
        return false;
    r.status_id = id;
    r.status = state;
    uint64_t n = 0;
    if (status["success_count"].get_uint64().get(n) == simdjson::SUCCESS) r.success_count = n;
    if (status["failure_count"].get_uint64().get(n) == simdjson::SUCCESS) r.failure_count = n;
    if (status["pending_count"].get_uint64().get(n) == simdjson::SUCCESS) r.pending_count = n;
    return true;
}

}  // namespace

TaxiiPublisher::TaxiiPublisher(const FederationSettings& settings,
                               std::vector<PeerCredentials> credentials, stix::Tlp default_tlp,
                               BackoffPolicy backoff)
    : settings_(settings),
      credentials_(std::move(credentials)),
      default_tlp_(default_tlp),
      backoff_(backoff) {}

const FederationPeer* TaxiiPublisher::find(const std::string& peer, size_t& index) const {
    for (index = 0; index < settings_.peers.size(); ++index)
        if (settings_.peers[index].id == peer) return &settings_.peers[index];
    return nullptr;
}

PublishResult TaxiiPublisher::post_objects(const std::string& peer_id,
                                           const std::string& collection,
                                           const std::vector<std::string>& objects_json) {
    PublishResult r;
    size_t index = 0;
    const FederationPeer* peer = find(peer_id, index);
    if (peer == nullptr) return (r.error = "no federation peer '" + peer_id + "'"), r;
    const std::string& target = collection.empty() ? peer->sightings_collection : collection;
    if (target.empty()) return (r.error = "peer " + peer_id + " has no sightings_collection"), r;
    const std::string body =
        envelope_for(objects_json, {true, peer->tlp_amber}, default_tlp_, r.sent, r.withheld);
    if (r.sent == 0) return (r.error = "nothing to send (every object withheld)"), r;
    PeerEndpoint endpoint;
    endpoint.peer = peer;
    endpoint.credentials = index < credentials_.size() ? credentials_[index] : PeerCredentials{};
    endpoint.max_body_bytes = 1 << 20;  // a status resource
    const std::string url = peer->url + "collections/" + target + "/objects/";
    const StopWait wait = [this](std::chrono::milliseconds d) {
        // Short waits, checked for stop: the caller's thread, not a poller's.
        for (auto left = d; left.count() > 0; left -= std::chrono::milliseconds(50)) {
            if (stopping_.load()) return false;
            std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(50)));
        }
        return !stopping_.load();
    };
    HttpExchangeResult answer =
        exchange_with_retries(endpoint, url, &body, stopping_, wait, backoff_, retries_);
    r.http_status = answer.status;
    if (answer.status == 0) return (r.error = "POST " + url + ": " + answer.error), r;
    if (answer.status != 202 && answer.status != 200)
        return (r.error = "POST " + url + ": HTTP " + std::to_string(answer.status)), r;
    if (!read_status(answer.body, r))
        return (r.error = "POST " + url + ": the answer is not a TAXII status resource"), r;
    r.ok = true;
    return r;
}

}  // namespace vigie::taxii
