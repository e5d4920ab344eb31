// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The metrics of `vigie scan` (--metrics-file), by input file. Only this folder includes
// prometheus-cpp. Hot-path counting stays in plain per-batch counters (ScanCounters,
// pipeline/scan/scan_counters.hpp) that are folded in here once per batch, so that no
// event pays for a Prometheus update.
// `vigie serve` exposes its own families (ServeMetrics), by agency and input.
#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "pipeline/scan/scan_counters.hpp"

namespace vigie {

class ScanMetrics {
  public:
    ScanMetrics();
    ~ScanMetrics();
    ScanMetrics(const ScanMetrics&) = delete;
    ScanMetrics& operator=(const ScanMetrics&) = delete;

    void add(const ScanCounters& counters, const std::string& input);
    // One evaluation of rule `rule_id` in which a regex hit its match limit.
    void add_regex_limit_hit(const std::string& rule_id);
    void set_rules_loaded(uint64_t loaded, uint64_t failed);
    // The Prometheus text exposition format.
    [[nodiscard]] std::string exposition() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace vigie
