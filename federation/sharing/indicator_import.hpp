// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The one indicator import sequence of vigie: read a STIX bundle or a MISP feed, apply what
// was read to the store and the catalogue the workers match from, and report it. `vigie
// indicators import`, `vigie scan --indicators` (load_indicators) and `vigie serve`
// (ServeIndicators: files, feeds, TAXII posts, polled peers, other workers) all import
// through import_indicators; only the report differs (stderr lines or log records).
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/diagnostic.hpp"
#include "core/result.hpp"
#include "federation/indicators/indicator_catalog.hpp"
#include "federation/indicators/indicator_store.hpp"
#include "federation/misp/misp_feed.hpp"
#include "federation/stix/indicator.hpp"
#include "federation/stix/tlp.hpp"

namespace vigie {

// What to import: a bundle's text, or a MISP feed (a directory or a URL) to read.
struct IndicatorInput {
    enum class Kind { Bundle, MispFeed };
    Kind kind = Kind::Bundle;
    std::string text;      // Bundle: the bundle's JSON
    std::string location;  // MispFeed: where the feed is
    std::string origin;    // names the input in diagnostics and reports
    std::string source;    // recorded as each indicator's source (a peer, a file, a feed)
    stix::Tlp default_tlp = stix::Tlp::Amber;   // for objects without a TLP marking
    const std::atomic<bool>* cancel = nullptr;  // MispFeed: a transfer gives up when set
    misp::MispFeedMemory* memory = nullptr;     // MispFeed: read only what changed since

    static IndicatorInput bundle(std::string text, std::string origin, std::string source,
                                 stix::Tlp default_tlp);
    static IndicatorInput misp_feed(std::string location, std::string origin, std::string source,
                                    stix::Tlp default_tlp);
};

// What one import read and what the store made of it.
struct ImportOutcome {
    IndicatorInput::Kind kind = IndicatorInput::Kind::Bundle;
    std::string origin;
    Diagnostics read_problems;  // objects or attributes refused by the reader, with places
    std::vector<stix::Indicator> indicators;  // read, and given to the store
    size_t refused = 0;  // refused by the reader (a bundle's objects, a feed's attributes)
    size_t objects = 0;  // Bundle: objects in it
    size_t events = 0, unchanged = 0, attributes = 0, skipped = 0;  // MispFeed
    Result<ApplyReport> applied = ApplyReport{};  // an error: the store failed, nothing was kept

    [[nodiscard]] bool kept() const { return applied.ok(); }
    // Objects lost to this import: refused, or read but not kept.
    [[nodiscard]] size_t lost() const { return refused + (kept() ? 0 : indicators.size()); }
};

// How imports are told (stderr for the commands, the log for vigie serve).
class ImportReport {
  public:
    virtual ~ImportReport() = default;
    // A bundle file that cannot be read (counted as one object refused).
    virtual void unreadable(const std::string& file) = 0;
    virtual void imported(const ImportOutcome& outcome) = 0;
};

// Reads `input`, applies it to `catalog`, tells `report`, returns what happened.
ImportOutcome import_indicators(IndicatorCatalog& catalog, const IndicatorInput& input,
                                ImportReport& report);

// A bundle file's text, or nothing (after report.unreadable) when it cannot be read.
std::optional<std::string> read_bundle_file(const std::string& file, ImportReport& report);

struct LoadedIndicators {
    std::unique_ptr<IndicatorStore> store;
    std::unique_ptr<IndicatorCatalog> catalog;
    size_t rejected = 0;  // objects refused in the bundle files and feeds
};

struct IndicatorLoadOptions {
    std::string store_path;  // empty: in memory
    size_t max_indicators = 2'000'000;
    std::vector<std::string> bundle_files;
    std::vector<std::string> misp_feeds;  // directories or URLs
    stix::Tlp default_tlp = stix::Tlp::Amber;
};

// The store opened (an error when it cannot be), then the bundle files and the MISP feeds
// imported into it, each told to `report`.
Result<LoadedIndicators> load_indicators(const IndicatorLoadOptions& options, ImportReport& report);

}  // namespace vigie
