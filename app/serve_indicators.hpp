#pragma once
// vigie serve's threat indicators (`indicators:` in the configuration): the store opened
// at start, the bundles imported, and what TAXII peers post fed to the same catalogue,
// every problem logged with its place and counted.
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "config/serve_config.hpp"
#include "indicators/indicator_catalog.hpp"
#include "serve/logger.hpp"
#include "stix/tlp.hpp"

namespace vigie {

class ServeIndicators {
  public:
    // Disabled (catalog() null) unless indicators.enabled; throws std::runtime_error when
    // the store cannot be opened (a start-up failure).
    ServeIndicators(const ServeConfig& config, Logger& log);

    [[nodiscard]] const IndicatorCatalog* catalog() const { return catalog_.get(); }
    // Objects a TAXII peer posted into a collection: the indicators among them are matched
    // from now on (if the collection feeds detection).
    void on_taxii_objects(const std::string& collection, const std::string& peer,
                          const std::vector<std::string>& objects);
    [[nodiscard]] uint64_t rejected() const { return rejected_.load(); }

    // What import_from_peer did with one page of a polled peer.
    struct PeerImport {
        size_t refused = 0;  // objects refused (each logged with its place)
        bool kept = true;    // false: the store failed and nothing of the page was kept
        std::string error;
    };
    // Objects polled from a federation peer (taxii/taxii_client.hpp): checked and
    // imported like a bundle, `peer` recorded as their source, `page_url` naming them in
    // the logs.
    PeerImport import_from_peer(const std::string& peer, const std::string& page_url,
                                const std::vector<std::string>& objects);
    // The store (null when disabled): the federation keeps its positions in its state.
    [[nodiscard]] IndicatorStore* store() const { return store_.get(); }

  private:
    PeerImport import(const std::string& text, const std::string& origin,
                      const std::string& source);

    Logger& log_;
    IndicatorSettings settings_;
    stix::Tlp default_tlp_ = stix::Tlp::Amber;
    std::unique_ptr<IndicatorStore> store_;
    std::unique_ptr<IndicatorCatalog> catalog_;
    std::atomic<uint64_t> rejected_{0};
};

}  // namespace vigie
