#pragma once
// Threat indicators for `vigie scan` and `vigie serve`: a store (a file, or in memory),
// bundle files imported into it with every problem reported, and the catalogue the
// workers match from.
#include <memory>
#include <string>
#include <vector>

#include "federation/indicators/indicator_catalog.hpp"
#include "federation/indicators/indicator_store.hpp"
#include "federation/stix/tlp.hpp"

namespace vigie {

struct LoadedIndicators {
    std::unique_ptr<IndicatorStore> store;
    std::unique_ptr<IndicatorCatalog> catalog;
    size_t rejected = 0;  // objects refused in the bundle files
};

struct IndicatorLoadOptions {
    std::string store_path;  // empty: in memory
    size_t max_indicators = 2'000'000;
    std::vector<std::string> bundle_files;
    std::vector<std::string> misp_feeds;  // directories or URLs
    stix::Tlp default_tlp = stix::Tlp::Amber;
};

// nullptr store (after printing why) when the store cannot be opened. Problems in the
// bundles are printed to stderr as file:line:col: id: message, and counted.
LoadedIndicators load_indicators(const IndicatorLoadOptions& options);

// Imports a MISP feed (directory or URL); prints its problems; returns what was refused.
size_t import_misp_feed(IndicatorCatalog& catalog, const std::string& location,
                        stix::Tlp default_tlp);

// Imports one bundle's text; prints its problems; returns the objects refused.
size_t import_bundle(IndicatorCatalog& catalog, const std::string& text, const std::string& origin,
                     const std::string& source, stix::Tlp default_tlp);

}  // namespace vigie
