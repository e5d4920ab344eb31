// SPDX-License-Identifier: EUPL-1.2
#pragma once
// What vigie serve starts when taxii.enabled: the collection store (opened, or created,
// where taxii.store says), each collection's seed loaded, and the handler over them.
#include <memory>
#include <string>

#include "core/logger.hpp"
#include "federation/taxii/collection_store.hpp"
#include "federation/taxii/taxii_config.hpp"
#include "federation/taxii/taxii_handler.hpp"

namespace vigie::taxii {

struct TaxiiServer {
    std::unique_ptr<CollectionStore> store;
    std::unique_ptr<TaxiiHandler> handler;
};

// The store file: taxii.store, else taxii.sqlite in the spool directory.
std::string taxii_store_path(const TaxiiSettings& settings, const std::string& spool_directory);

// An error when the store cannot be opened. A seed that cannot be read is logged, not
// fatal: the collection starts as it is. `max_body_bytes`: the HTTP listener's bound on a
// request body (http.max_body_bytes).
Result<TaxiiServer> start_taxii_server(const TaxiiSettings& settings, const std::string& store_path,
                                       uint64_t max_body_bytes, Logger& log,
                                       TaxiiHandler::ObjectsStored on_stored);

}  // namespace vigie::taxii
