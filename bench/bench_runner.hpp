// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The benchmark proper: generates (or reuses) the corpus, times the floor pass in
// process and vigie as a child process (wall time of its scan phase from its summary,
// peak RSS from wait4), and reports every figure and ratio as a table and as JSON.
#include <cstdint>
#include <string>

namespace vigie::bench {

struct BenchConfig {
    std::string sigma_dir = "../shared/sigma";
    std::string vigie = "build/vigie";
    std::string out_dir = "build/bench";
    unsigned threads = 0;
    uint64_t corpus_bytes = 1ULL << 30;
    uint64_t slice_bytes = 16ULL << 20;
    uint64_t seed = 0;
    bool rss_check = true;  // also 256 MiB and 2 GiB corpora, for the peak-RSS comparison
    unsigned repeat = 3;    // each figure is the best of this many runs
};

// Writes generated events to `path` until it holds at least `bytes`; returns the count.
uint64_t write_corpus(const std::string& path, uint64_t bytes, uint64_t seed);

int run_benchmark(const BenchConfig& config);

}  // namespace vigie::bench
