#pragma once
// The long-running detection engine behind `vigie serve`: a bounded queue of ingest
// jobs and a fixed pool of workers, each with its own BatchScanner (simdjson parser,
// Hyperscan and PCRE2 scratch). The ruleset can be replaced while running: a worker
// finishes its current job with the rules it started with and takes the new ones for
// the next, so no event in flight is dropped or evaluated twice.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "alerts/alert_format.hpp"
#include "alerts/alert_sink.hpp"
#include "detector/ruleset.hpp"
#include "metrics/scan_metrics.hpp"
#include "serve/ingest_job.hpp"

namespace vigie {

struct IngestEngineOptions {
    unsigned threads = 1;        // 0: jobs run on the submitting thread (tests, fuzzing)
    size_t queue_capacity = 64;  // jobs waiting; beyond it submit() answers Full
    size_t max_event_bytes = 1 << 20;
    Level min_level = Level::Informational;
    ScanMetrics* metrics = nullptr;  // counts each job's events under its agency
};

struct IngestTotals {
    uint64_t jobs = 0;
    uint64_t events = 0;
    uint64_t rejected = 0;
    uint64_t alerts = 0;
};

class IngestEngine {
  public:
    IngestEngine(std::shared_ptr<const Ruleset> ruleset, const AlertFormat& format, AlertSink& sink,
                 IngestEngineOptions options);
    ~IngestEngine();
    IngestEngine(const IngestEngine&) = delete;
    IngestEngine& operator=(const IngestEngine&) = delete;

    enum class Submit : uint8_t { Queued, Full, Draining };
    // Never blocks. Queued: `job.done` will be called. Full or Draining: the job was not
    // taken (the caller answers 503 or retries later).
    Submit submit(IngestJob&& job);
    // Blocks while the queue is full (a NATS fetcher applying back-pressure).
    Submit submit_wait(IngestJob&& job);

    // Later jobs use `ruleset`; jobs already started finish with the old one.
    void replace_ruleset(std::shared_ptr<const Ruleset> ruleset);
    [[nodiscard]] std::shared_ptr<const Ruleset> ruleset() const;

    // Stops taking jobs, runs every queued job to its end, joins the workers and flushes
    // the sink. Idempotent.
    void drain();
    [[nodiscard]] bool draining() const { return draining_.load(); }
    // Queue below capacity and not draining: what GET /readyz reports.
    [[nodiscard]] bool ready() const;
    [[nodiscard]] size_t queued() const;
    [[nodiscard]] IngestTotals totals() const;

  private:
    class Worker;
    void work(Worker& worker);
    void run_job(Worker& worker, IngestJob& job);
    IngestResult scan_job(Worker& worker, IngestJob& job);

    const AlertFormat& format_;
    AlertSink& sink_;
    IngestEngineOptions options_;

    mutable std::mutex mutex_;
    std::condition_variable job_ready_;
    std::condition_variable space_ready_;
    std::deque<IngestJob> queue_;
    std::shared_ptr<const Ruleset> ruleset_;
    uint64_t ruleset_generation_ = 0;
    IngestTotals totals_;
    std::atomic<bool> draining_{false};
    bool stopping_ = false;

    std::unique_ptr<Worker> inline_worker_;  // threads == 0
    std::mutex inline_mutex_;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::vector<std::thread> threads_;
};

}  // namespace vigie
