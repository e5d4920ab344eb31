// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Counters of one alert output, for the metrics and the logs. Outputs update them from
// their own threads (workers for the local outputs, the forwarding thread otherwise);
// stats() hands out a plain copy that any thread may read.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "delivery/outputs/output_settings.hpp"

namespace vigie {

struct OutputStats {
    std::string name;
    OutputType type = OutputType::Stdout;
    uint64_t delivered = 0;        // alerts written (local) or acknowledged upstream (forwarding)
    uint64_t filtered = 0;         // alerts the output's filter refused
    uint64_t malformed = 0;        // spool records that were no envelope (skipped, logged)
    uint64_t failed_attempts = 0;  // writes or delivery attempts that failed
    uint64_t retries = 0;          // delivery attempts made after a failed one
    uint64_t dead_lettered = 0;    // alerts the upstream refused for good: in the dead-letter file
    bool ok = true;                // the last write/delivery attempt succeeded
    bool connected = true;         // forwarding: the upstream connection is up (local: true)
    std::string last_error;        // the last failure, kept after a success ("" when none yet)
};

// The live counters behind OutputStats.
class OutputCounters {
  public:
    OutputCounters(std::string name, OutputType type) : name_(std::move(name)), type_(type) {}

    void add_delivered(uint64_t n) { delivered_.fetch_add(n, std::memory_order_relaxed); }
    void add_filtered(uint64_t n) { filtered_.fetch_add(n, std::memory_order_relaxed); }
    void add_malformed(uint64_t n) { malformed_.fetch_add(n, std::memory_order_relaxed); }
    void add_retry() { retries_.fetch_add(1, std::memory_order_relaxed); }
    void add_dead_lettered() { dead_lettered_.fetch_add(1, std::memory_order_relaxed); }
    void set_ok(bool ok) { ok_.store(ok, std::memory_order_relaxed); }
    void record_failure(std::string error) {
        failed_attempts_.fetch_add(1, std::memory_order_relaxed);
        ok_.store(false, std::memory_order_relaxed);
        std::lock_guard lock(mutex_);
        last_error_ = std::move(error);
    }
    [[nodiscard]] OutputStats snapshot() const {
        OutputStats s;
        s.name = name_;
        s.type = type_;
        s.delivered = delivered_.load(std::memory_order_relaxed);
        s.filtered = filtered_.load(std::memory_order_relaxed);
        s.malformed = malformed_.load(std::memory_order_relaxed);
        s.failed_attempts = failed_attempts_.load(std::memory_order_relaxed);
        s.retries = retries_.load(std::memory_order_relaxed);
        s.dead_lettered = dead_lettered_.load(std::memory_order_relaxed);
        s.ok = ok_.load(std::memory_order_relaxed);
        std::lock_guard lock(mutex_);
        s.last_error = last_error_;
        return s;
    }

  private:
    const std::string name_;
    const OutputType type_;
    std::atomic<uint64_t> delivered_{0}, filtered_{0}, malformed_{0}, failed_attempts_{0},
        retries_{0}, dead_lettered_{0};
    std::atomic<bool> ok_{true};
    mutable std::mutex mutex_;
    std::string last_error_;
};

}  // namespace vigie
