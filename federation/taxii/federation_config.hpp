// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The `federation:` section of the vigie serve configuration: who this organisation is in
// STIX (the identity its sightings are created by) and the TAXII 2.1 peers whose
// collections it polls for indicators. Secrets are files named here, never values: the
// configuration is shown, diffed and committed; the secrets are not.
#include <cstdint>
#include <string>
#include <vector>

namespace vigie::taxii {

struct FederationPeer {
    std::string id;          // names the peer in logs and is the `source` of its indicators
    std::string url;         // the peer's API root, ending with '/': https://a.example:8443/api1/
    std::string collection;  // the collection polled (a UUID)
    std::string user;        // HTTP Basic, with the password in password_file
    std::string password_file;
    std::string token_file;  // a Bearer token
    std::string ca_file;     // PEM; empty: the system's CAs
    std::string cert_file;   // PEM client certificate (mTLS), with key_file
    std::string key_file;
    uint32_t interval_seconds = 60;          // between the end of a poll and the next
    uint32_t page_limit = 1000;              // the limit= of each GET
    uint64_t max_page_bytes = 16 << 20;      // a page's body; a longer one is aborted and refused
    uint64_t max_objects_per_poll = 100000;  // the rest waits for the next poll
    std::string sightings_collection;        // the peer's collection our sightings go to
    bool tlp_amber = false;                  // this peer may receive TLP:AMBER from us
};

struct FederationSettings {
    std::string identity_id;    // identity: "identity--<uuid>", this organisation in STIX
    std::string identity_name;  // name: its name
    std::vector<FederationPeer> peers;
};

}  // namespace vigie::taxii
