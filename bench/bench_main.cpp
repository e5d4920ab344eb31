// SPDX-License-Identifier: EUPL-1.2
// vigie-bench: generates the benchmark corpus and measures vigie against the simdjson
// floor, all in one run on the same file, so that ratios are comparable (`make bench`).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "bench/bench_runner.hpp"
#include "bench/event_generator.hpp"
#include "bench/floor_pass.hpp"
#include "bench/indicator_bench.hpp"

namespace fs = std::filesystem;
using namespace vigie::bench;

namespace {

// "1G", "256M", "64K" or bytes (binary units).
uint64_t parse_size(const std::string& text) {
    size_t used = 0;
    uint64_t n = std::stoull(text, &used);
    std::string unit = text.substr(used);
    if (unit == "K" || unit == "KiB") return n << 10;
    if (unit == "M" || unit == "MiB") return n << 20;
    if (unit == "G" || unit == "GiB") return n << 30;
    if (unit.empty()) return n;
    throw CLI::ValidationError("size", "unknown unit in '" + text + "' (K, M, G)");
}

int generate(const std::string& out, uint64_t bytes, uint64_t seed) {
    uint64_t events = write_corpus(out, bytes, seed);
    std::printf("%s: %llu events, %llu bytes (seed %llu)\n", out.c_str(),
                static_cast<unsigned long long>(events),
                static_cast<unsigned long long>(fs::file_size(out)),
                static_cast<unsigned long long>(seed));
    return 0;
}

int floor(const std::string& path) {
    FloorResult r = run_floor_pass(path);
    if (!r.error.empty()) {
        std::fprintf(stderr, "vigie-bench: %s\n", r.error.c_str());
        return 1;
    }
    std::printf(
        "floor: %llu events, %.1f MB/s, %.0f events/s\n", static_cast<unsigned long long>(r.events),
        static_cast<double>(r.bytes) / 1e6 / r.seconds, static_cast<double>(r.events) / r.seconds);
    return 0;
}

int run(int argc, char** argv) {
    CLI::App app{"vigie-bench: the vigie benchmark (make bench)"};
    app.require_subcommand(1);

    std::string out;
    std::string size = "1G";
    uint64_t seed = 20261123;
    auto* gen =
        app.add_subcommand("generate", "Write a deterministic NDJSON corpus of Windows events");
    gen->add_option("output", out, "File to write")->required();
    gen->add_option("--size", size, "Approximate size (K, M, G)")->capture_default_str();
    gen->add_option("--seed", seed, "Generator seed")->capture_default_str();

    std::string floor_input;
    auto* floor_cmd = app.add_subcommand("floor", "Time the simdjson floor pass over a file");
    floor_cmd->add_option("input", floor_input, "NDJSON file")->required();

    BenchConfig config;
    std::string slice = "16M";
    auto* run = app.add_subcommand("run", "The whole benchmark: prints a table, writes JSON");
    run->add_option("--size", size, "Corpus size (K, M, G)")->capture_default_str();
    run->add_option("--slice", slice, "Corpus size for the runs without prefilter")
        ->capture_default_str();
    run->add_option("--sigma", config.sigma_dir, "SigmaHQ snapshot (rules*/ folders)")
        ->capture_default_str();
    run->add_option("--vigie", config.vigie, "The vigie executable")->capture_default_str();
    run->add_option("--out", config.out_dir, "Where the corpus and results go")
        ->capture_default_str();
    run->add_option("--threads", config.threads,
                    "Threads of the multi-threaded runs (default: cores)");
    run->add_option("--seed", seed, "Generator seed")->capture_default_str();
    run->add_option("--repeat", config.repeat, "Runs per figure; the best is kept")
        ->capture_default_str();

    IndicatorBenchConfig indicators;
    auto* ind_cmd = app.add_subcommand(
        "indicators", "Import N generated STIX indicators, reload them, time arrivals");
    ind_cmd->add_option("--count", indicators.count, "Indicators")->capture_default_str();
    ind_cmd->add_option("--store", indicators.store, "SQLite store to (re)create")->required();
    ind_cmd->add_option("--bundle", indicators.bundle, "Also write them as a STIX bundle here");
    ind_cmd->add_option("--arrivals", indicators.arrivals, "New indicators timed one by one")
        ->capture_default_str();

    CLI11_PARSE(app, argc, argv);
    try {
        if (gen->parsed()) return generate(out, parse_size(size), seed);
        if (ind_cmd->parsed()) return run_indicator_bench(indicators);
        if (floor_cmd->parsed()) return floor(floor_input);
        config.corpus_bytes = parse_size(size);
        config.slice_bytes = parse_size(slice);
        config.seed = seed;
        if (config.threads == 0) config.threads = std::max(1U, std::thread::hardware_concurrency());
        return run_benchmark(config);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "vigie-bench: %s\n", e.what());
        return 1;
    }
}

}  // namespace

// Failures are reported as messages; nothing escapes as an exception.
int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "vigie-bench: %s\n", e.what());
    }
    return 1;
}
