// SPDX-License-Identifier: EUPL-1.2
#include "federation/taxii/taxii_server.hpp"

#include <filesystem>

#include "federation/taxii/collection_seed.hpp"

namespace vigie::taxii {

std::string taxii_store_path(const TaxiiSettings& settings, const std::string& spool_directory) {
    if (!settings.store.empty()) return settings.store;
    return (std::filesystem::path(spool_directory) / "taxii.sqlite").string();
}

namespace {

void seed_all(const TaxiiSettings& settings, CollectionStore& store, Logger& log) {
    for (const auto& c : settings.collections) {
        if (c.seed.empty()) continue;
        const Result<SeedResult> seeded = seed_collection(store, c, settings.default_tlp);
        if (!seeded) {
            log.error("taxii: collection seed not loaded",
                      {{"collection", c.id}, {"error", seeded.error().message}});
            continue;
        }
        const SeedResult& r = *seeded;
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

Result<TaxiiServer> start_taxii_server(const TaxiiSettings& settings, const std::string& path,
                                       uint64_t max_body_bytes, Logger& log,
                                       TaxiiHandler::ObjectsStored on_stored) {
    TaxiiServer server;
    std::error_code ec;
    const auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    auto opened = CollectionStore::open(path);
    if (!opened) return opened.error();
    server.store = std::move(opened).value();
    seed_all(settings, *server.store, log);
    server.handler = std::make_unique<TaxiiHandler>(settings, *server.store, max_body_bytes,
                                                    std::move(on_stored));
    log.info("taxii: serving", {{"store", path},
                                {"api_roots", uint64_t{settings.api_roots.size()}},
                                {"collections", uint64_t{settings.collections.size()}},
                                {"peers", uint64_t{settings.peers.size()}}});
    return server;
}

}  // namespace vigie::taxii
