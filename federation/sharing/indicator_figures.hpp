// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The threat indicators of vigie serve (indicators:, federation:) as plain values, without
// Prometheus: ServeIndicators and ServeFederation fill them (add_figures), and
// metrics/serve_metrics reads them at each snapshot.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace vigie {

struct IndicatorFigures {
    bool enabled = false;
    struct Live {
        std::string type, tlp, source;
        int64_t count = 0;
    };
    std::vector<Live> live;    // matched per event, by object type, TLP and source
    uint64_t stored = 0;       // in the store (every pattern type, matched or not)
    uint64_t max_stored = 0;   // indicators.max_indicators
    uint64_t evictions = 0;    // dropped to stay within the bound
    uint64_t not_matched = 0;  // stored but outside the per-event subset
    uint64_t rejected = 0;     // objects refused (invalid, over a limit)
    uint64_t matches = 0;      // indicator alerts written
    uint64_t sightings_published = 0;
    std::vector<std::pair<std::string, double>> sync_lag_seconds;  // per polled peer
};

}  // namespace vigie
