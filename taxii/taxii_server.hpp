#pragma once
// What vigie serve starts when taxii.enabled: the collection store (opened, or created,
// where taxii.store says), each collection's seed loaded, and the handler over them.
#include <memory>
#include <string>

#include "config/serve_config.hpp"
#include "serve/logger.hpp"
#include "taxii/collection_store.hpp"
#include "taxii/taxii_handler.hpp"

namespace vigie::taxii {

struct TaxiiServer {
    std::unique_ptr<CollectionStore> store;
    std::unique_ptr<TaxiiHandler> handler;
};

// The store file: taxii.store, else taxii.sqlite in the spool directory.
std::string taxii_store_path(const ServeConfig& config);

// nullopt-like: a server without a handler, and `error` set, when the store cannot be
// opened. A seed that cannot be read is logged, not fatal: the collection starts as it is.
TaxiiServer start_taxii_server(const ServeConfig& config, Logger& log,
                               TaxiiHandler::ObjectsStored on_stored, std::string& error);

}  // namespace vigie::taxii
