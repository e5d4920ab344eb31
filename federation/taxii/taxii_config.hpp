// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The `taxii:` section of the vigie serve configuration: the TAXII 2.1 server's API roots,
// collections and peers, and what each peer may read, write and receive (TLP). Every
// setting has a default, so that `taxii: {enabled: true}` is a server with no collection.
#include <cstdint>
#include <string>
#include <vector>

#include "federation/stix/tlp.hpp"

namespace vigie::taxii {

struct ApiRootSettings {
    std::string path;  // "api1": served at /api1/; letters, digits, '-', '_'
    std::string title;
    std::string description;
    uint64_t max_content_length = 10ULL << 20;  // the largest POST body accepted (413 above)
};

struct CollectionSettings {
    std::string id;        // a UUID, unique across the server
    std::string api_root;  // the path of the API root that serves it
    std::string title;
    std::string description;
    std::string seed;  // a STIX bundle file loaded at start (objects already there are kept)
};

struct CollectionRights {
    std::string collection;  // a collection id
    bool read = false;
    bool write = false;
};

// A peer authenticates with any one of its credentials; a peer bound to a certificate CN
// must also present that certificate when it uses a password or a token.
struct PeerSettings {
    std::string id;               // names the peer in logs, statuses and the ingest hook
    std::string user;             // HTTP Basic user name
    std::string password_sha256;  // lower-case hex SHA-256 of the Basic password
    std::string token_sha256;     // lower-case hex SHA-256 of a Bearer token
    std::string certificate_cn;   // TLS client certificate common name (http.tls.client_ca)
    bool tlp_amber = false;       // cleared to receive TLP:AMBER
    std::vector<CollectionRights> collections;
};

struct TaxiiSettings {
    bool enabled = false;
    std::string discovery_title = "vigie TAXII 2.1";
    std::string discovery_description;
    std::string contact;
    // Prefixed to the API root paths of the discovery resource ("https://cti.example.org");
    // empty: the paths alone ("/api1/").
    std::string base_url;
    std::string default_api_root;  // empty: the first one
    // Objects without a TLP marking are treated as this level when they are shared.
    stix::Tlp default_tlp = stix::Tlp::Amber;
    std::string store;              // SQLite file; empty: <spool.directory>/taxii.sqlite
    uint32_t page_size = 100;       // objects per page when the request sets no limit
    uint32_t max_page_size = 1000;  // the largest limit a request may ask for
    std::vector<ApiRootSettings> api_roots;
    std::vector<CollectionSettings> collections;
    std::vector<PeerSettings> peers;
};

}  // namespace vigie::taxii
