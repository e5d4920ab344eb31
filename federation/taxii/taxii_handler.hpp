// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The TAXII 2.1 server of vigie serve: the discovery, API root, collection, object,
// manifest, versions and status endpoints over the collection store. Every object that
// goes out is one the requesting peer's TLP clearance allows; a withheld object is, for
// that peer, absent (404, not counted, not paged).
//
// Status codes: 401 (+ WWW-Authenticate) without or with wrong credentials, on any path
// outside the ingest API (known API root or not), 403 without the right an endpoint needs
// on a collection (DELETE needs read and write), 404 unknown root, collection (or one the
// peer has neither right on), object or status, 406 an
// Accept without TAXII 2.1, 413 a body over the root's max_content_length, 415 a POST
// that is not application/taxii+json, 400 a malformed query or body, 422 JSON that is
// not an envelope, 202 a POST (its status resource), 500 the store failed.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/http_exchange.hpp"
#include "federation/taxii/collection_store.hpp"
#include "federation/taxii/peer_directory.hpp"
#include "federation/taxii/taxii_config.hpp"

namespace vigie::taxii {

class TaxiiHandler {
  public:
    // Called after a POST's objects are stored, with the objects newly added (their JSON),
    // on the thread that handled the request.
    using ObjectsStored =
        std::function<void(const std::string& collection_id, const std::string& peer_id,
                           const std::vector<std::string>& objects_json)>;

    // `http_body_limit` is the listener's own limit: the largest max_content_length that
    // can be honoured, and so the one the API roots advertise at most.
    TaxiiHandler(TaxiiSettings settings, CollectionStore& store, uint64_t http_body_limit,
                 ObjectsStored on_stored = {});

    // True for the paths this handler answers: every path outside the ingest API (/v1/,
    // /healthz, /readyz, /metrics): /taxii2/, the API roots, and unknown roots (401, 404).
    [[nodiscard]] bool owns(std::string_view path) const;
    HttpAnswer handle(const HttpRequest& request);

  private:
    struct Route;  // the request's root, collection, object and endpoint
    const ApiRootSettings* root(std::string_view path) const;
    const CollectionSettings* collection(const ApiRootSettings& root, std::string_view id) const;
    HttpAnswer route(const HttpRequest& request, const PeerSettings& peer,
                     const std::vector<std::string_view>& segments);
    HttpAnswer collections(const ApiRootSettings& root, const PeerSettings& peer);
    HttpAnswer collection_endpoint(const HttpRequest& request, const PeerSettings& peer,
                                   const ApiRootSettings& root,
                                   const std::vector<std::string_view>& segments);
    HttpAnswer status(const ApiRootSettings& root, const PeerSettings& peer, std::string_view id);
    // taxii_objects.cpp
    HttpAnswer get_objects(const HttpRequest& request, const PeerSettings& peer,
                           const CollectionSettings& c, bool manifest);
    HttpAnswer post_objects(const HttpRequest& request, const PeerSettings& peer,
                            const ApiRootSettings& root, const CollectionSettings& c);
    HttpAnswer get_object(const HttpRequest& request, const PeerSettings& peer,
                          const CollectionSettings& c, const std::string& object_id, bool versions);
    HttpAnswer delete_object(const HttpRequest& request, const PeerSettings& peer,
                             const CollectionSettings& c, const std::string& object_id);
    HttpAnswer store_objects(const PeerSettings& peer, const ApiRootSettings& root,
                             const CollectionSettings& c, std::string_view envelope);
    void disclose_page(ObjectPage& page, const PeerSettings& peer) const;
    bool visible_object(const std::string& collection, const std::string& object_id,
                        const PeerSettings& peer);
    uint64_t max_content_length(const ApiRootSettings& root) const;

    TaxiiSettings settings_;
    CollectionStore& store_;
    PeerDirectory peers_;
    uint64_t http_body_limit_;
    ObjectsStored on_stored_;
};

// A TAXII answer: the TAXII media type, and for errors TAXII's error resource.
HttpAnswer taxii_answer(unsigned status, std::string body);
HttpAnswer taxii_error(unsigned status, const std::string& title,
                       const std::string& description = {});

}  // namespace vigie::taxii
