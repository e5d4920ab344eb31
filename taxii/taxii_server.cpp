#include "taxii/taxii_server.hpp"

#include <filesystem>

#include "taxii/collection_seed.hpp"

namespace vigie::taxii {

std::string taxii_store_path(const ServeConfig& config) {
    if (!config.taxii.store.empty()) return config.taxii.store;
    return (std::filesystem::path(config.spool.directory) / "taxii.sqlite").string();
}

namespace {

void seed_all(const TaxiiSettings& settings, CollectionStore& store, Logger& log) {
    for (const auto& c : settings.collections) {
        if (c.seed.empty()) continue;
        const SeedResult r = seed_collection(store, c, settings.default_tlp);
        if (!r.error.empty()) {
            log.error("taxii: collection seed not loaded",
                      {{"collection", c.id}, {"error", r.error}});
            continue;
        }
        log.info("taxii: collection seeded", {{"collection", c.id},
                                              {"file", c.seed},
                                              {"added", uint64_t{r.added}},
                                              {"already_there", uint64_t{r.already_there}},
                                              {"refused", uint64_t{r.refused}}});
        if (r.refused > 0)
            log.warn("taxii: seed objects refused",
                     {{"collection", c.id}, {"first", r.first_refusal}});
    }
}

}  // namespace

TaxiiServer start_taxii_server(const ServeConfig& config, Logger& log,
                               TaxiiHandler::ObjectsStored on_stored, std::string& error) {
    TaxiiServer server;
    const std::string path = taxii_store_path(config);
    std::error_code ec;
    const auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    server.store = CollectionStore::open(path, error);
    if (!server.store) return server;
    seed_all(config.taxii, *server.store, log);
    server.handler = std::make_unique<TaxiiHandler>(
        config.taxii, *server.store, config.http.max_body_bytes, std::move(on_stored));
    log.info("taxii: serving", {{"store", path},
                                {"api_roots", uint64_t{config.taxii.api_roots.size()}},
                                {"collections", uint64_t{config.taxii.collections.size()}},
                                {"peers", uint64_t{config.taxii.peers.size()}}});
    return server;
}

}  // namespace vigie::taxii
