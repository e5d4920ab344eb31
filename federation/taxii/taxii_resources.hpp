// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The JSON bodies of TAXII 2.1's resources (section 4 to 6 of the specification):
// discovery, API root, collection(s), envelope, manifest, versions, status and error.
#include <cstdint>
#include <string>
#include <vector>

#include "federation/taxii/collection_store.hpp"
#include "federation/taxii/taxii_config.hpp"

namespace vigie::taxii {

std::string discovery_json(const TaxiiSettings& settings);
std::string api_root_json(const ApiRootSettings& root, uint64_t max_content_length);
std::string collection_json(const CollectionSettings& collection, bool can_read, bool can_write);
// "objects" holds each object's own JSON text; "next" is set when there is more.
std::string envelope_json(const ObjectPage& page);
std::string manifest_json(const ObjectPage& page);
std::string versions_json(const ObjectPage& page);
// TAXII's error message resource.
std::string error_json(unsigned status, const std::string& title, const std::string& description);

// One object of a POST, as the status resource reports it.
// TAXII 2.1 section 4.3.1: every entry, success or failure, carries its id and version.
struct StatusEntry {
    std::string id;
    std::string version;  // a STIX timestamp
    std::string message;
};

struct StatusReport {
    std::string id;  // a UUID
    int64_t request_timestamp = 0;
    std::vector<StatusEntry> successes;
    std::vector<StatusEntry> failures;
};

std::string status_json(const StatusReport& status);

}  // namespace vigie::taxii
