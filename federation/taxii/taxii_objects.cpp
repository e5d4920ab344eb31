// SPDX-License-Identifier: EUPL-1.2
// The object endpoints of the TAXII handler: objects, object by id, versions, manifest
// (GET), POST of an envelope, DELETE of an object.
#include <random>

#include "core/clock.hpp"
#include "federation/stix/timestamp.hpp"
#include "federation/stix/tlp_granular.hpp"
#include "federation/taxii/envelope_reader.hpp"
#include "federation/taxii/media_type.hpp"
#include "federation/taxii/object_query.hpp"
#include "federation/taxii/taxii_handler.hpp"
#include "federation/taxii/taxii_resources.hpp"

namespace vigie::taxii {

namespace {

std::string_view query_of(std::string_view target) {
    const size_t q = target.find('?');
    return q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
}

// A version 4 UUID for a status resource.
std::string random_uuid() {
    static thread_local std::mt19937_64 random{std::random_device{}()};
    const uint64_t hi = (random() & ~0xF000ULL) | 0x4000ULL;
    const uint64_t lo = (random() & ~(3ULL << 62)) | (2ULL << 62);
    char text[37];
    std::snprintf(text, sizeof text, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                  static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                  static_cast<unsigned>(lo >> 48),
                  static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
    return text;
}

// 200 with the page. The X-TAXII-Date-Added headers bound the page (its rows, sent or
// not), for a client's next added_after.
HttpAnswer page_answer(const ObjectPage& page, std::string body, int64_t first_date_added) {
    HttpAnswer a = taxii_answer(200, std::move(body));
    if (page.last_date_added != 0) {
        a.headers.emplace_back("X-TAXII-Date-Added-First",
                               stix::format_timestamp(first_date_added, true));
        a.headers.emplace_back("X-TAXII-Date-Added-Last",
                               stix::format_timestamp(page.last_date_added, true));
    }
    return a;
}

int64_t first_date_added(const ObjectPage& page) {
    return page.objects.empty() ? page.last_date_added : page.objects.front().date_added;
}

}  // namespace

// Every object of a page as this peer may receive it (federation/stix/tlp_granular.hpp, the one
// place that decides): a revocation becomes the last version the peer saw, revoked; properties
// above the peer's clearance are removed; an object that cannot go without them is left
// out (the store's level already keeps those out of the query: this is the last guard).
void TaxiiHandler::disclose_page(ObjectPage& page, const PeerSettings& peer) const {
    const stix::PeerClearance cleared = clearance(peer);
    std::erase_if(page.objects, [&](StoredObject& o) {
        if (o.json.empty()) return false;  // a manifest: no content goes out
        if (o.revocation) o.json = stix::as_revocation(o.json, o.version);
        stix::Disclosure d = stix::disclose(o.json, settings_.default_tlp, cleared);
        o.json = std::move(d.json);
        return d.withheld;
    });
}

HttpAnswer TaxiiHandler::get_objects(const HttpRequest& request, const PeerSettings& peer,
                                     const CollectionSettings& c, bool manifest) {
    if (!may_read(peer, c.id)) return taxii_error(403, "forbidden", "no read right");
    auto parsed = parse_object_query(query_of(request.target), settings_.page_size,
                                     settings_.max_page_size, DefaultVersions::Last);
    if (!parsed) return taxii_error(400, "bad request", parsed.error().message);
    ObjectQuery& q = *parsed;
    q.filter.visible_tlps = visible_tlp_mask(clearance(peer));
    auto page = store_.query(c.id, q.filter, q.limit, !manifest);
    if (!page) return taxii_error(500, "internal error", "the collection store failed");
    const int64_t first = first_date_added(*page);
    disclose_page(*page, peer);
    return page_answer(*page, manifest ? manifest_json(*page) : envelope_json(*page), first);
}

HttpAnswer TaxiiHandler::get_object(const HttpRequest& request, const PeerSettings& peer,
                                    const CollectionSettings& c, const std::string& object_id,
                                    bool versions) {
    if (!may_read(peer, c.id)) return taxii_error(403, "forbidden", "no read right");
    auto parsed =
        parse_object_query(query_of(request.target), settings_.page_size, settings_.max_page_size,
                           versions ? DefaultVersions::All : DefaultVersions::Last);
    if (!parsed) return taxii_error(400, "bad request", parsed.error().message);
    ObjectQuery& q = *parsed;
    if (versions) q.filter.versions = VersionMatch{true, false, false, {}};  // all versions, always
    q.filter.ids = {object_id};
    q.filter.types.clear();
    q.filter.visible_tlps = visible_tlp_mask(clearance(peer));
    auto page = store_.query(c.id, q.filter, q.limit, !versions);
    if (!page) return taxii_error(500, "internal error", "the collection store failed");
    const int64_t first = first_date_added(*page);
    disclose_page(*page, peer);
    // 404 only for an object the peer sees no version of; filters (match[version],
    // added_after) that select none of its versions give an empty answer (section 5.6).
    if (page->objects.empty() && !visible_object(c.id, object_id, peer))
        return taxii_error(404, "not found", "no such object");
    return page_answer(*page, versions ? versions_json(*page) : envelope_json(*page), first);
}

bool TaxiiHandler::visible_object(const std::string& collection, const std::string& object_id,
                                  const PeerSettings& peer) {
    ObjectFilter any;
    any.ids = {object_id};
    any.versions = VersionMatch{true, false, false, {}};
    any.visible_tlps = visible_tlp_mask(clearance(peer));
    auto page = store_.query(collection, any, 1, false);
    return page && !page->objects.empty();
}

// Section 5.7: deleting needs both rights. A peer that cannot read the collection must not
// learn from 200 and 404 which objects it holds.
HttpAnswer TaxiiHandler::delete_object(const HttpRequest& request, const PeerSettings& peer,
                                       const CollectionSettings& c, const std::string& object_id) {
    if (!may_read(peer, c.id) || !may_write(peer, c.id))
        return taxii_error(403, "forbidden", "deleting needs the read and the write right");
    auto parsed = parse_object_query(query_of(request.target), settings_.page_size,
                                     settings_.max_page_size, DefaultVersions::All);
    if (!parsed) return taxii_error(400, "bad request", parsed.error().message);
    ObjectQuery& q = *parsed;
    q.filter.ids = {object_id};
    q.filter.types.clear();
    q.filter.added_after.reset();
    // Only what the peer could see: deleting a withheld object would tell it exists.
    q.filter.visible_tlps = visible_tlp_mask(clearance(peer));
    auto removed = store_.remove(c.id, q.filter);
    if (!removed) return taxii_error(500, "internal error", "the collection store failed");
    if (*removed == 0) return taxii_error(404, "not found", "no such object");
    return taxii_answer(200, "");
}

HttpAnswer TaxiiHandler::post_objects(const HttpRequest& request, const PeerSettings& peer,
                                      const ApiRootSettings& root, const CollectionSettings& c) {
    if (!may_write(peer, c.id)) return taxii_error(403, "forbidden", "no write right");
    if (request.body.size() > max_content_length(root))
        return taxii_error(413, "too large",
                           "the body is over max_content_length (" +
                               std::to_string(max_content_length(root)) + " bytes)");
    if (!is_taxii_media_type(request.content_type))
        return taxii_error(
            415, "unsupported media type",
            "POST " + std::string(kTaxiiMediaType) + ", not '" + request.content_type + "'");
    return store_objects(peer, root, c, request.body);
}

HttpAnswer TaxiiHandler::store_objects(const PeerSettings& peer, const ApiRootSettings& root,
                                       const CollectionSettings& c, std::string_view body) {
    EnvelopeContents envelope = read_envelope(body, settings_.default_tlp);
    if (envelope.error == EnvelopeError::NotJson)
        return taxii_error(400, "bad request", envelope.message);
    if (envelope.error == EnvelopeError::NotEnvelope)
        return taxii_error(422, "unprocessable entity", envelope.message);
    StatusReport status{random_uuid(), unix_now_us(), {}, {}};
    // A failure without a version of its own is reported at the time it was received.
    const std::string received = stix::format_timestamp(status.request_timestamp, true);
    std::vector<StixObjectRecord> records;
    std::vector<size_t> positions;  // of each record in envelope.objects
    for (size_t i = 0; i < envelope.objects.size(); ++i) {
        CheckedObject& o = envelope.objects[i];
        if (!o.record) {
            status.failures.push_back(
                {o.id, o.version.empty() ? received : o.version, o.record.error().message});
            continue;
        }
        positions.push_back(i);
        records.push_back(std::move(*o.record));
    }
    std::vector<int64_t> versions;
    const std::vector<AddOutcome> outcomes = store_.add(c.id, records, &versions);
    std::vector<std::string> added;
    for (size_t i = 0; i < records.size(); ++i) {
        const StixObjectRecord& r = records[i];
        const std::string version =
            r.version || versions[i] != 0
                ? stix::format_timestamp(r.version.value_or(versions[i]), true)
                : received;
        if (outcomes[i] == AddOutcome::Failed) {
            status.failures.push_back({r.id, version, "the store failed"});
            continue;
        }
        const bool is_new = outcomes[i] == AddOutcome::Added;
        status.successes.push_back({r.id, version, is_new ? "added" : "already in the collection"});
        if (is_new) added.push_back(r.json);
    }
    const std::string json = status_json(status);
    if (!store_.save_status(status.id, root.path + "/" + peer.id, json))
        return taxii_error(500, "internal error", "the status could not be saved");
    if (on_stored_ && !added.empty()) on_stored_(c.id, peer.id, added);
    return taxii_answer(202, json);
}

}  // namespace vigie::taxii
