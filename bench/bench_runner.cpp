// SPDX-License-Identifier: EUPL-1.2
#include "bench/bench_runner.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "bench/bench_report.hpp"
#include "bench/event_generator.hpp"
#include "bench/floor_pass.hpp"

namespace vigie::bench {

namespace fs = std::filesystem;

namespace {

std::string size_label(uint64_t bytes) {
    if (bytes % (1ULL << 30) == 0) return std::to_string(bytes >> 30) + "G";
    if (bytes % (1ULL << 20) == 0) return std::to_string(bytes >> 20) + "M";
    return std::to_string(bytes);
}

// The corpus for (size, seed), generated once and reused.
std::string corpus(const BenchConfig& c, uint64_t bytes) {
    fs::path path =
        fs::path(c.out_dir) / ("events-v" + std::to_string(EventGenerator::kVersion) + "-" +
                               size_label(bytes) + "-" + std::to_string(c.seed) + ".ndjson");
    std::error_code ec;
    if (!fs::exists(path, ec) || fs::file_size(path, ec) < bytes) {
        std::fprintf(stderr, "generating %s ...\n", path.c_str());
        write_corpus(path, bytes, c.seed);
    }
    return path;
}

// Runs vigie with `args`, stdout discarded; reads its summary line and peak RSS.
Measurement run_vigie_once(const BenchConfig& c, const std::string& label, unsigned threads,
                           const std::vector<std::string>& args) {
    fs::path log = fs::path(c.out_dir) / "vigie-stderr.log";
    std::vector<std::string> argv_s = {c.vigie, "scan", "--threads", std::to_string(threads)};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    argv.reserve(argv_s.size() + 1);
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
        int null_fd = ::open("/dev/null", O_WRONLY);
        int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(null_fd, STDOUT_FILENO);
        dup2(log_fd, STDERR_FILENO);
        execv(argv[0], argv.data());
        _exit(127);
    }
    int status = 0;
    rusage usage{};
    wait4(pid, &status, 0, &usage);
    std::ifstream in(log);
    std::string line;
    std::string summary;
    while (std::getline(in, line)) {
        if (line.rfind("vigie: ", 0) == 0 && line.find("events read") != std::string::npos)
            summary = line;
    }
    if (!WIFEXITED(status) || summary.empty()) {
        throw std::runtime_error(label + ": vigie failed; see " + log.string());
    }
    Measurement m{label, threads};
    unsigned long long events = 0;
    unsigned long long alerts = 0;
    double mb = 0;
    size_t loaded = 0;
    size_t documents = 0;
    std::sscanf(summary.c_str(), "vigie: %llu events read, %*u rejected, %llu alerts", &events,
                &alerts);
    std::sscanf(summary.c_str() + summary.find("rules loaded"),
                "rules loaded %zu of %zu in %lf s, scanned %lf MB in %lf s", &loaded, &documents,
                &m.load_seconds, &mb, &m.scan_seconds);
    m.events = events;
    m.alerts = alerts;
    m.bytes = static_cast<uint64_t>(mb * 1e6);
    m.peak_rss_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;
    std::fprintf(stderr, "  %-34s %8.1f MB/s  %6.0f MB RSS\n", label.c_str(), m.mb_per_s(),
                 m.peak_rss_mb);
    return m;
}

// The best of `config.repeat` runs: on a shared machine the fastest run is the one
// least disturbed by neighbours.
Measurement run_vigie(const BenchConfig& c, const std::string& label, unsigned threads,
                      const std::vector<std::string>& args) {
    Measurement best = run_vigie_once(c, label, threads, args);
    for (unsigned i = 1; i < c.repeat; ++i) {
        Measurement m = run_vigie_once(c, label, threads, args);
        if (m.scan_seconds < best.scan_seconds ||
            (m.bytes == 0 && m.load_seconds < best.load_seconds))
            best = m;
    }
    return best;
}

std::vector<std::string> sigma_rule_args(const BenchConfig& c) {
    std::vector<std::string> dirs;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(c.sigma_dir, ec)) {
        if (e.is_directory() && e.path().filename().string().rfind("rules", 0) == 0)
            dirs.push_back(e.path().string());
    }
    std::sort(dirs.begin(), dirs.end());
    std::vector<std::string> args;
    for (const auto& d : dirs) args.insert(args.end(), {"--rules", d});
    return args;
}

}  // namespace

uint64_t write_corpus(const std::string& path, uint64_t bytes, uint64_t seed) {
    std::FILE* out = std::fopen(path.c_str(), "wb");
    if (out == nullptr) throw std::runtime_error("cannot write " + path);
    EventGenerator generator(seed);
    std::string buffer;
    uint64_t written = 0;
    uint64_t events = 0;
    while (written < bytes) {
        buffer.clear();
        while (buffer.size() < (1 << 20)) {
            generator.append_event(buffer);
            ++events;
        }
        std::fwrite(buffer.data(), 1, buffer.size(), out);
        written += buffer.size();
    }
    std::fclose(out);
    return events;
}

int run_benchmark(const BenchConfig& c) {
    fs::create_directories(c.out_dir);
    fs::create_directories(fs::path(c.out_dir) / "no-rules");
    std::vector<std::string> rules = sigma_rule_args(c);
    if (rules.empty()) {
        std::fprintf(stderr,
                     "vigie-bench: no rules*/ folders under %s; using the project's rules/ only\n",
                     c.sigma_dir.c_str());
        rules = {"--rules", "rules"};
    }
    std::string cache = (fs::path(c.out_dir) / "hs-cache").string();
    rules.insert(rules.end(), {"--mapping", "windows", "--cache-dir", cache});
    auto with = [](std::vector<std::string> a, std::initializer_list<std::string> more) {
        a.insert(a.end(), more);
        return a;
    };
    std::string file = corpus(c, c.corpus_bytes);
    std::string slice = corpus(c, c.slice_bytes);
    std::fprintf(stderr, "running (corpus %s, %u threads) ...\n", file.c_str(), c.threads);

    // Load and compile times: an empty cache, then the one that run filled.
    LoadTimes load{1e9, 0};
    for (unsigned i = 0; i < c.repeat; ++i) {
        fs::remove_all(cache);
        load.cold_seconds = std::min(
            load.cold_seconds,
            run_vigie_once(c, "load, empty cache", 1, with(rules, {"/dev/null"})).load_seconds);
    }
    load.cached_seconds =
        run_vigie(c, "load, from cache", 1, with(rules, {"/dev/null"})).load_seconds;

    // The floor and the runs the ratios compare take turns, so that a slow spell of this
    // shared machine cannot fall on one side of a ratio only; each keeps its best run.
    run_floor_pass(file);  // warms the page cache, so that every run reads from memory
    FloorResult f;
    Measurement none;
    Measurement all_one;
    Measurement all_n;
    for (unsigned i = 0; i < c.repeat; ++i) {
        FloorResult again = run_floor_pass(file);
        if (!again.error.empty()) throw std::runtime_error(again.error);
        if (i == 0 || again.seconds < f.seconds) f = again;
        Measurement b =
            run_vigie_once(c, "(b) vigie, no rules", 1,
                           {"--rules", (fs::path(c.out_dir) / "no-rules").string(), file});
        if (i == 0 || b.scan_seconds < none.scan_seconds) none = b;
        Measurement a = run_vigie_once(c, "(c) vigie, all rules", 1, with(rules, {file}));
        if (i == 0 || a.scan_seconds < all_one.scan_seconds) all_one = a;
        Measurement n = run_vigie_once(c, "(c) vigie, all rules", c.threads, with(rules, {file}));
        if (i == 0 || n.scan_seconds < all_n.scan_seconds) all_n = n;
    }
    Measurement floor{"(a) floor: simdjson On-Demand", 1, f.bytes, f.events, 0, f.seconds};
    std::vector<Measurement> ms = {floor, none, all_one, all_n};
    ms.push_back(run_vigie(c, "(d) slice, prefilter", 1, with(rules, {slice})));
    // Every rule on every event is a hundred times slower: one run says enough.
    ms.push_back(
        run_vigie_once(c, "(d) slice, --no-prefilter", 1, with(rules, {"--no-prefilter", slice})));
    if (c.rss_check) {
        for (uint64_t size : {256ULL << 20, 2ULL << 30}) {
            ms.push_back(run_vigie(c, "(e) all rules, " + size_label(size), c.threads,
                                   with(rules, {corpus(c, size)})));
        }
    }
    write_report(c, ms, load);
    return 0;
}

}  // namespace vigie::bench
