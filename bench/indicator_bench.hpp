// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The indicator benchmark's in-process half (`vigie-bench indicators`): imports N
// generated indicators into a store, reopens it as vigie does at start, and times what
// an operator waits for: import, load (store -> matched set), and an indicator's arrival
// to its first possible match with N loaded. Throughput with indicators is measured by
// bench/indicator_load.sh over vigie scan.
#include <cstdint>
#include <string>

namespace vigie::bench {

struct IndicatorBenchConfig {
    uint64_t count = 1'000'000;
    std::string store;   // SQLite file (recreated)
    std::string bundle;  // also write them as a STIX bundle here; empty: no
    unsigned arrivals = 50;
    unsigned arrival_gap_ms = 200;  // between arrivals
    uint64_t seed = 20261202;
};

int run_indicator_bench(const IndicatorBenchConfig& config);

}  // namespace vigie::bench
