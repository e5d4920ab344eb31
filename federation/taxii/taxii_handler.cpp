// SPDX-License-Identifier: EUPL-1.2
#include "federation/taxii/taxii_handler.hpp"

#include <utility>

#include "federation/taxii/media_type.hpp"
#include "federation/taxii/taxii_resources.hpp"

namespace vigie::taxii {

namespace {

// "/api1/collections/x/" -> {"api1", "collections", "x"}; empty segments are dropped, so
// that a missing trailing slash is forgiven.
std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> out;
    size_t start = 0;
    while (start < path.size()) {
        size_t slash = path.find('/', start);
        if (slash == std::string_view::npos) slash = path.size();
        if (slash > start) out.push_back(path.substr(start, slash - start));
        start = slash + 1;
    }
    return out;
}

std::string_view path_of(std::string_view target) {
    return target.substr(0, target.find('?'));
}

HttpAnswer method_not_allowed(const HttpRequest& request, const char* allowed) {
    HttpAnswer a = taxii_error(405, "method not allowed", request.method + " is not served here");
    a.headers.emplace_back("Allow", allowed);
    return a;
}

}  // namespace

HttpAnswer taxii_answer(unsigned status, std::string body) {
    HttpAnswer a;
    a.status = status;
    a.body = std::move(body);
    a.content_type = std::string(kTaxiiMediaType);
    return a;
}

HttpAnswer taxii_error(unsigned status, const std::string& title, const std::string& description) {
    return taxii_answer(status, error_json(status, title, description));
}

TaxiiHandler::TaxiiHandler(TaxiiSettings settings, CollectionStore& store, uint64_t http_body_limit,
                           ObjectsStored on_stored)
    : settings_(std::move(settings)),
      store_(store),
      peers_(settings_.peers),
      http_body_limit_(http_body_limit),
      on_stored_(std::move(on_stored)) {}

// Every path outside the ingest API's: an unknown API root is answered like a known one
// (401 before anything, then 404 in the TAXII media type), so that a client without
// credentials cannot tell which roots exist, and a TAXII client always gets TAXII errors.
bool TaxiiHandler::owns(std::string_view path) const {
    const std::vector<std::string_view> segments = split_path(path_of(path));
    if (segments.empty()) return false;
    for (std::string_view ingest : {"v1", "healthz", "readyz", "metrics"})
        if (segments[0] == ingest) return false;
    return true;
}

const ApiRootSettings* TaxiiHandler::root(std::string_view path) const {
    for (const auto& r : settings_.api_roots)
        if (r.path == path) return &r;
    return nullptr;
}

const CollectionSettings* TaxiiHandler::collection(const ApiRootSettings& root,
                                                   std::string_view id) const {
    for (const auto& c : settings_.collections)
        if (c.id == id && c.api_root == root.path) return &c;
    return nullptr;
}

uint64_t TaxiiHandler::max_content_length(const ApiRootSettings& root) const {
    return std::min(root.max_content_length, http_body_limit_);
}

HttpAnswer TaxiiHandler::handle(const HttpRequest& request) {
    const PeerSettings* peer = peers_.authenticate(request);
    if (peer == nullptr) {
        HttpAnswer a = taxii_error(401, "unauthorized", "missing or wrong credentials");
        a.headers.emplace_back("WWW-Authenticate", R"(Basic realm="vigie TAXII")");
        return a;
    }
    if (!accepts_taxii(request.accept))
        return taxii_error(406, "not acceptable",
                           "this server answers " + std::string(kTaxiiMediaType));
    return route(request, *peer, split_path(path_of(request.target)));
}

HttpAnswer TaxiiHandler::route(const HttpRequest& request, const PeerSettings& peer,
                               const std::vector<std::string_view>& segments) {
    const bool get = request.method == "GET";
    if (segments.size() == 1 && segments[0] == "taxii2") {
        if (!get) return method_not_allowed(request, "GET");
        return taxii_answer(200, discovery_json(settings_));
    }
    const ApiRootSettings* api_root = segments.empty() ? nullptr : root(segments[0]);
    if (api_root == nullptr) return taxii_error(404, "not found", "no such API root");
    if (segments.size() == 1) {
        if (!get) return method_not_allowed(request, "GET");
        return taxii_answer(200, api_root_json(*api_root, max_content_length(*api_root)));
    }
    if (segments[1] == "status" && segments.size() == 3) {
        if (!get) return method_not_allowed(request, "GET");
        return status(*api_root, peer, segments[2]);
    }
    if (segments[1] == "collections") {
        if (segments.size() == 2) {
            if (!get) return method_not_allowed(request, "GET");
            return collections(*api_root, peer);
        }
        return collection_endpoint(request, peer, *api_root, segments);
    }
    return taxii_error(404, "not found", "no such endpoint");
}

HttpAnswer TaxiiHandler::collections(const ApiRootSettings& root, const PeerSettings& peer) {
    std::string body = "{";
    bool first = true;
    for (const auto& c : settings_.collections) {
        // A collection the peer has no right on is, for it, absent (as at its endpoints).
        if (c.api_root != root.path || (!may_read(peer, c.id) && !may_write(peer, c.id))) continue;
        body += first ? R"("collections":[)" : ",";
        first = false;
        body += collection_json(c, may_read(peer, c.id), may_write(peer, c.id));
    }
    if (!first) body += ']';
    return taxii_answer(200, body + "}");
}

// /{root}/collections/{id}/[objects/[{object-id}/[versions/]] | manifest/]
HttpAnswer TaxiiHandler::collection_endpoint(const HttpRequest& request, const PeerSettings& peer,
                                             const ApiRootSettings& root,
                                             const std::vector<std::string_view>& segments) {
    const CollectionSettings* c = collection(root, segments[2]);
    // A peer with neither right learns nothing of the collection, not even that it exists.
    if (c == nullptr || (!may_read(peer, c->id) && !may_write(peer, c->id)))
        return taxii_error(404, "not found", "no such collection");
    const bool get = request.method == "GET";
    const size_t n = segments.size();
    if (n == 3) {
        if (!get) return method_not_allowed(request, "GET");
        return taxii_answer(200,
                            collection_json(*c, may_read(peer, c->id), may_write(peer, c->id)));
    }
    if (n == 4 && segments[3] == "manifest") {
        if (!get) return method_not_allowed(request, "GET");
        return get_objects(request, peer, *c, true);
    }
    if (segments[3] != "objects" || n > 6 || (n == 6 && segments[5] != "versions"))
        return taxii_error(404, "not found", "no such endpoint");
    if (n == 4) {
        if (get) return get_objects(request, peer, *c, false);
        if (request.method == "POST") return post_objects(request, peer, root, *c);
        return method_not_allowed(request, "GET, POST");
    }
    const std::string object_id(segments[4]);
    if (n == 6) {
        if (!get) return method_not_allowed(request, "GET");
        return get_object(request, peer, *c, object_id, true);
    }
    if (get) return get_object(request, peer, *c, object_id, false);
    if (request.method == "DELETE") return delete_object(request, peer, *c, object_id);
    return method_not_allowed(request, "GET, DELETE");
}

HttpAnswer TaxiiHandler::status(const ApiRootSettings& root, const PeerSettings& peer,
                                std::string_view id) {
    // A status belongs to the peer that posted, under the root it posted to.
    auto json = store_.status(std::string(id), root.path + "/" + peer.id);
    if (!json) return taxii_error(404, "not found", "no such status");
    return taxii_answer(200, std::move(*json));
}

}  // namespace vigie::taxii
