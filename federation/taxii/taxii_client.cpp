// SPDX-License-Identifier: EUPL-1.2
#include "federation/taxii/taxii_client.hpp"

#include "federation/stix/timestamp.hpp"
#include "federation/taxii/envelope_page.hpp"

namespace vigie::taxii {

namespace {

std::string percent_encoded(const std::string& s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

PollReport failed(PollReport report, std::string url, std::string error) {
    report.ok = false;
    report.page_url = std::move(url);
    report.error = std::move(error);
    return report;
}

}  // namespace

TaxiiClient::TaxiiClient(FederationPeer peer, PeerCredentials credentials, PositionStore& positions,
                         ObjectSink sink, PeerPollCounters& counters, BackoffPolicy backoff)
    : peer_(std::move(peer)),
      positions_(positions),
      sink_(std::move(sink)),
      counters_(counters),
      backoff_(backoff) {
    endpoint_.peer = &peer_;
    endpoint_.credentials = std::move(credentials);
    endpoint_.max_body_bytes = peer_.max_page_bytes;
}

std::string TaxiiClient::objects_url() const {
    return peer_.url + "collections/" + peer_.collection + "/objects/";
}

std::string TaxiiClient::page_url(const std::string& added_after, const std::string& next) const {
    std::string url = objects_url() + "?limit=" + std::to_string(peer_.page_limit);
    if (!added_after.empty()) url += "&added_after=" + percent_encoded(added_after);
    if (!next.empty()) url += "&next=" + percent_encoded(next);
    return url;
}

std::optional<std::string> TaxiiClient::advanced(const std::string& current,
                                                 const std::string& header,
                                                 const std::string& greatest) {
    const std::string& candidate = !header.empty() ? header : greatest;
    const auto at = stix::parse_timestamp(candidate);
    if (!at) return std::nullopt;  // absent, or garbage we could not send back as added_after
    const auto now = stix::parse_timestamp(current);
    if (now && *at <= *now) return std::nullopt;  // never backwards
    return candidate;
}

Status TaxiiClient::save_position(const std::string& position, PollReport& report) {
    if (auto saved = positions_.save(position_key(peer_.id, peer_.collection), position); !saved)
        return Error{"the position could not be saved: " + saved.error().message};
    report.position = position;
    return {};
}

PollReport TaxiiClient::poll(const std::atomic<bool>& stop, const StopWait& wait) {
    ++counters_.polls;
    PollReport report;
    report.position = positions_.load(position_key(peer_.id, peer_.collection)).value_or("");
    const std::string added_after = report.position;  // the poll's query; next pages add next=
    std::string query_after = added_after;
    std::string next;
    while (!stop.load()) {
        const std::string url = page_url(query_after, next);
        HttpExchangeResult r =
            exchange_with_retries(endpoint_, url, nullptr, stop, wait, backoff_, counters_.retries);
        if (r.interrupted) return (report.interrupted = true), report;
        if (r.status != 200) {
            if (r.too_large) ++counters_.pages_refused;
            return failed(report, url,
                          r.status == 0 ? r.error : "HTTP " + std::to_string(r.status));
        }
        Result<EnvelopePage> read = read_envelope_page(r.body, peer_.page_limit);
        r.body.clear();
        r.body.shrink_to_fit();
        if (!read) {
            ++counters_.pages_refused;
            return failed(report, url, read.error().message);
        }
        const EnvelopePage& page = *read;
        if (report.objects + page.objects.size() > peer_.max_objects_per_poll) {
            ++counters_.polls_capped;
            return (report.capped = true), report;
        }
        if (!page.objects.empty()) {
            const SinkOutcome kept = sink_(peer_.id, url, page.objects);
            if (!kept.kept) return failed(report, url, "the objects were not kept: " + kept.error);
            ++report.pages;
            ++counters_.pages;
            report.objects += page.objects.size();
            report.refused += kept.refused;
            counters_.objects_received += page.objects.size();
            counters_.objects_refused += kept.refused;
        }
        const auto position =
            advanced(report.position, r.date_added_last, page.greatest_date_added);
        if (position) {
            if (auto saved = save_position(*position, report); !saved)
                return failed(report, url, saved.error().message);
        }
        if (!page.more || page.objects.empty()) break;
        if (!page.next.empty()) {
            query_after = added_after;
            next = page.next;
        } else if (position) {
            query_after = *position;  // a peer without next: on from what it last gave
            next.clear();
        } else {
            return failed(report, url, "more pages, but neither next nor a date added to go on");
        }
    }
    if (stop.load()) report.interrupted = true;
    return report;
}

}  // namespace vigie::taxii
