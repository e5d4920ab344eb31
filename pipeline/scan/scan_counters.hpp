// SPDX-License-Identifier: EUPL-1.2
#pragma once
// What a worker counts while it scans a batch, in plain values: the hot path pays for no
// metrics library. `vigie scan` folds them into its metrics (metrics/scan_metrics.hpp) once
// per batch.
#include <array>
#include <cstdint>

namespace vigie {

struct ScanCounters {
    uint64_t events = 0;
    uint64_t rejected = 0;
    uint64_t bytes = 0;
    std::array<uint64_t, 5> alerts_by_level{};  // indexed by Level
    uint64_t rule_evaluations = 0;              // rules the prefilter let through
};

}  // namespace vigie
