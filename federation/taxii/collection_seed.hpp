// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A collection's `seed`: a STIX bundle file loaded into it when vigie serve starts.
// Objects already stored (same id and version) are not added again, so a restart with the
// same seed changes nothing.
#include <cstddef>
#include <string>

#include "core/result.hpp"
#include "federation/taxii/collection_store.hpp"
#include "federation/taxii/taxii_config.hpp"

namespace vigie::taxii {

struct SeedResult {
    size_t added = 0;
    size_t already_there = 0;
    size_t refused = 0;         // objects that are not valid STIX 2.1
    std::string first_refusal;  // "id: why", for the log
};

// An error when the file cannot be read or is not a bundle (nothing is added then).
Result<SeedResult> seed_collection(CollectionStore& store, const CollectionSettings& collection,
                                   stix::Tlp default_tlp);

}  // namespace vigie::taxii
