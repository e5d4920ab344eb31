// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The benchmark's figures: one Measurement per run, printed as a table with the ratios
// the targets are stated in, and written as JSON to <out>/results.json.
#include <cstdint>
#include <string>
#include <vector>

#include "bench/bench_runner.hpp"

namespace vigie::bench {

struct Measurement {
    std::string label;
    unsigned threads = 1;
    uint64_t bytes = 0;
    uint64_t events = 0;
    uint64_t alerts = 0;
    double scan_seconds = 0;
    double load_seconds = 0;
    double peak_rss_mb = 0;

    [[nodiscard]] double mb_per_s() const {
        return static_cast<double>(bytes) / 1e6 / scan_seconds;
    }
    [[nodiscard]] double events_per_s() const { return static_cast<double>(events) / scan_seconds; }
};

// Load-and-compile times of the full ruleset: with an empty cache, then from it.
struct LoadTimes {
    double cold_seconds = 0;
    double cached_seconds = 0;
};

// `runs` in the order run_benchmark makes them: floor, no rules, all rules x1, all
// rules xN, slice with and without prefilter, then the RSS-check runs.
void write_report(const BenchConfig& config, const std::vector<Measurement>& runs,
                  const LoadTimes& load);

}  // namespace vigie::bench
