// SPDX-License-Identifier: EUPL-1.2
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace vigie {

// indicators: threat indicators (STIX 2.1) matched on every event.
struct IndicatorSettings {
    bool enabled = false;
    std::string store;  // SQLite file; empty: indicators.sqlite in the spool directory
    uint64_t max_indicators = 2'000'000;  // past it, revoked/expired then oldest are evicted
    std::vector<std::string> bundles;     // STIX bundle files imported at start
    std::vector<std::string> misp_feeds;  // MISP feeds (directories or URLs) imported at start
    // ... and read again this often (only the events new or changed since; 0: never).
    uint32_t misp_interval_seconds = 300;
    std::string default_tlp = "amber";  // for objects without a TLP marking
    // TAXII collections whose posted indicators are matched (empty: every collection).
    std::vector<std::string> taxii_collections;
    // Sightings of indicators are flushed (stored, and sent to their source peer when the
    // TLP allows) this often.
    uint32_t sightings_interval_seconds = 60;
    // Sigma rules received as indicators (pattern_type sigma): from these peers they are
    // accepted at once (checked, never over a local rule's id) into sigma_rules_dir and
    // the rules reloaded; from any other they wait for `vigie rules accept`.
    std::vector<std::string> sigma_auto_accept;
    std::string sigma_rules_dir = "rules/federation";
    // Several workers on one NATS (nats.url): what one imports is published on the
    // VIGIE_INDICATORS stream (subject vigie.indicators) and imported by all the others.
    bool share_over_nats = false;
};

}  // namespace vigie
