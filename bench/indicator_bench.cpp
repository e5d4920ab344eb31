// SPDX-License-Identifier: EUPL-1.2
#include "bench/indicator_bench.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "bench/indicator_generator.hpp"
#include "federation/indicators/indicator_catalog.hpp"

namespace vigie::bench {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// Resident memory now, from /proc (MiB).
double rss_mib() {
    std::ifstream status("/proc/self/status");
    std::string key;
    while (status >> key) {
        if (key == "VmRSS:") {
            double kib = 0;
            status >> kib;
            return kib / 1024;
        }
        status.ignore(1 << 12, '\n');
    }
    return 0;
}

double import(const IndicatorBenchConfig& c) {
    std::filesystem::remove(c.store);
    auto opened = IndicatorStore::open(c.store, c.count + c.arrivals + 16);
    if (!opened) throw std::runtime_error(opened.error().message);
    auto& store = *opened;
    std::ofstream bundle;
    if (!c.bundle.empty()) {
        bundle.open(c.bundle, std::ios::binary);
        bundle
            << R"({"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000000","objects":[)"
            << '\n';
    }
    IndicatorGenerator gen(c.seed);
    const auto start = Clock::now();
    std::vector<stix::Indicator> batch;
    for (uint64_t n = 0; n < c.count; n += batch.size()) {
        batch.clear();
        for (uint64_t i = n; i < std::min(c.count, n + 20000); ++i) batch.push_back(gen.make(i));
        if (auto stored = store->put(batch, unix_now_us()); !stored)
            throw std::runtime_error(stored.error().message);
        for (size_t i = 0; bundle.is_open() && i < batch.size(); ++i) {
            bundle << (n + i == 0 ? "" : ",\n") << batch[i].json;
        }
    }
    if (bundle.is_open()) bundle << "\n]}\n";
    return seconds_since(start);
}

bool matches_now(const IndicatorCatalog& catalog, const std::string& domain) {
    std::string buffer;
    bool hit = false;
    for (const auto& s : catalog.current()->segments) {
        s->find("domain-name:value", ValueKind::Domain, domain, buffer, nullptr,
                [&](uint32_t slot) { hit = hit || s->live(slot, unix_now_us()); });
    }
    return hit;
}

}  // namespace

int run_indicator_bench(const IndicatorBenchConfig& c) {
    const double import_s = import(c);
    std::printf("import: %llu indicators into %s in %.1f s (%.0f/s)\n",
                static_cast<unsigned long long>(c.count), c.store.c_str(), import_s,
                static_cast<double>(c.count) / import_s);
    auto opened = IndicatorStore::open(c.store, c.count + c.arrivals + 16);
    if (!opened) throw std::runtime_error(opened.error().message);
    auto& store = *opened;
    const double rss_before = rss_mib();
    auto start = Clock::now();
    IndicatorCatalog catalog(*store);
    const double load_s = seconds_since(start);
    const auto counts = catalog.counts();
    std::printf(
        "load: %zu indicators matched per event, from the store in %.1f s; RSS +%.0f MiB (%.0f "
        "MiB)\n",
        counts.matched_per_event, load_s, rss_mib() - rss_before, rss_mib());
    IndicatorGenerator gen(c.seed + 1);
    std::vector<double> latencies;
    for (unsigned i = 0; i < c.arrivals; ++i) {
        stix::Indicator ind = gen.make(c.count + i);
        const std::string domain = "arrival-" + std::to_string(i) + ".example";
        ind.pattern = "[domain-name:value = '" + domain + "']";
        start = Clock::now();
        Result<ApplyReport> report = catalog.apply({ind}, unix_now_us());
        if (!report || !matches_now(catalog, domain))
            throw std::runtime_error("arrival " + std::to_string(i) + " does not match");
        latencies.push_back(seconds_since(start));
        // Spread out, so that arrivals also land while a merge rereads the store.
        std::this_thread::sleep_for(std::chrono::milliseconds(c.arrival_gap_ms));
    }
    catalog.wait_idle();
    std::sort(latencies.begin(), latencies.end());
    std::printf(
        "arrival to first possible match, %u arrivals with %llu loaded: p50 %.2f ms, max %.1f ms "
        "(the max includes waiting for a background merge)\n",
        c.arrivals, static_cast<unsigned long long>(c.count), latencies[latencies.size() / 2] * 1e3,
        latencies.back() * 1e3);
    return 0;
}

}  // namespace vigie::bench
