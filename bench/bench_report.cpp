// SPDX-License-Identifier: EUPL-1.2
#include "bench/bench_report.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace vigie::bench {

namespace {

std::string machine() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
    }
    return "unknown CPU";
}

std::string json(const Measurement& m) {
    std::ostringstream o;
    o << R"({"label":")" << m.label << R"(","threads":)" << m.threads << R"(,"bytes":)" << m.bytes
      << R"(,"events":)" << m.events << R"(,"alerts":)" << m.alerts << R"(,"seconds":)"
      << m.scan_seconds << R"(,"mb_per_s":)" << m.mb_per_s() << R"(,"events_per_s":)"
      << m.events_per_s() << R"(,"events_per_s_per_core":)" << m.events_per_s() / m.threads
      << R"(,"peak_rss_mb":)" << m.peak_rss_mb << R"(,"load_seconds":)" << m.load_seconds << "}";
    return o.str();
}

struct Ratio {
    const char* name;
    double value;
};

}  // namespace

void write_report(const BenchConfig& c, const std::vector<Measurement>& runs,
                  const LoadTimes& load) {
    const Measurement& floor = runs[0];
    const Measurement& one = runs[2];
    const Measurement& many = runs[3];
    std::vector<Ratio> ratios = {
        {"(c) 1 thread / (a) floor", one.mb_per_s() / floor.mb_per_s()},
        {"(c) N threads / (c) 1 thread", many.mb_per_s() / one.mb_per_s()},
        {"(b) no rules / (a) floor", runs[1].mb_per_s() / floor.mb_per_s()},
        {"(d) prefilter / --no-prefilter", runs[4].mb_per_s() / runs[5].mb_per_s()},
    };
    if (runs.size() >= 8)
        ratios.push_back({"(e) peak RSS 2G / 256M", runs[7].peak_rss_mb / runs[6].peak_rss_mb});

    std::printf("\nvigie benchmark on %s (%u cores)\n\n", machine().c_str(),
                std::thread::hardware_concurrency());
    std::printf("%-34s %7s %9s %11s %13s %9s %8s %9s\n", "run", "threads", "MB/s", "events/s",
                "events/s/core", "RSS MB", "load s", "alerts");
    for (const auto& m : runs) {
        std::printf("%-34s %7u %9.1f %11.0f %13.0f %9.1f %8.3f %9llu\n", m.label.c_str(), m.threads,
                    m.mb_per_s(), m.events_per_s(), m.events_per_s() / m.threads, m.peak_rss_mb,
                    m.load_seconds, static_cast<unsigned long long>(m.alerts));
    }
    std::printf("\nfull ruleset load and compile: %.3f s cold, %.3f s from the cache\n",
                load.cold_seconds, load.cached_seconds);
    for (const auto& r : ratios) std::printf("%-34s %6.2f\n", r.name, r.value);

    std::ostringstream o;
    o << R"({"machine":")" << machine() << R"(","cores":)" << std::thread::hardware_concurrency()
      << R"(,"runs":[)";
    for (size_t i = 0; i < runs.size(); ++i) o << (i > 0 ? "," : "") << json(runs[i]);
    o << R"(],"load_seconds_cold":)" << load.cold_seconds << R"(,"load_seconds_cached":)"
      << load.cached_seconds << R"(,"ratios":{)";
    for (size_t i = 0; i < ratios.size(); ++i)
        o << (i > 0 ? "," : "") << '"' << ratios[i].name << "\":" << ratios[i].value;
    o << "}}\n";
    std::filesystem::path path = std::filesystem::path(c.out_dir) / "results.json";
    std::ofstream(path) << o.str();
    std::printf("\nwritten to %s\n", path.c_str());
}

}  // namespace vigie::bench
