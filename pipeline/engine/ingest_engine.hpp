// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The long-running detection engine behind `vigie serve`: a bounded queue of ingest
// jobs and a fixed pool of workers, each with its own BatchScanner (simdjson parser,
// Hyperscan and PCRE2 scratch). The ruleset can be replaced while running: a worker
// finishes its current job with the rules it started with and takes the new ones for
// the next, so no event in flight is dropped or evaluated twice.
// Metrics: each worker counts its jobs (by agency and input, rejections by reason, alerts
// by level, matches by rule, latency) in plain counters under a mutex of its own, taken
// once per job; figures() folds them when a scrape asks, so no event touches Prometheus.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "detector/ruleset.hpp"
#include "pipeline/alerts/alert_format.hpp"
#include "pipeline/alerts/alert_sink.hpp"
#include "pipeline/engine/ingest_figures.hpp"
#include "pipeline/engine/ingest_job.hpp"
#include "pipeline/scan/batch_scanner.hpp"

namespace vigie {

struct IngestEngineOptions {
    unsigned threads = 1;        // 0: jobs run on the submitting thread (tests, fuzzing)
    size_t queue_capacity = 64;  // jobs waiting; beyond it submit() answers Full
    size_t max_event_bytes = 1 << 20;
    Level min_level = Level::Informational;
    // What workers put in alerts (event details, suppression); its min_level is replaced
    // by the one above, and the alerts are always records (the sink takes records).
    AlertOptions alerts{};  // {}: aggregate initialisations may leave it out (-Wextra)
    // Rule ids each worker counts by name; matches of further rules count as "_other".
    size_t max_rule_labels = kDefaultMaxRuleLabels;
    // False (metrics.enabled: false): workers count nothing and figures() stays empty;
    // the benchmark compares the two to give the counting's cost.
    bool count_figures = true;
    // Told, once per job and rule, of the evaluations in which a regex hit its match limit
    // (the rule fired fail-closed if that test could make it hold). Called from a worker
    // after the job was answered; vigie serve logs it, rate-limited. Empty: not told.
    std::function<void(const std::string& rule_id, uint64_t evaluations)> on_regex_limit = {};
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
    // Later jobs without a limit of their own (NATS batches) use this one (a reload).
    void set_max_event_bytes(size_t bytes) { max_event_bytes_.store(bytes); }

    // Stops taking jobs, runs every queued job to its end, joins the workers and flushes
    // the sink. Idempotent.
    void drain();
    [[nodiscard]] bool draining() const { return draining_.load(); }
    // Queue below capacity and not draining: what GET /readyz reports.
    [[nodiscard]] bool ready() const;
    [[nodiscard]] size_t queued() const;
    [[nodiscard]] IngestTotals totals() const;
    [[nodiscard]] size_t capacity() const { return options_.queue_capacity; }

    // Counts what an input refused before it became a job (bad token, rate limit, size, a
    // full queue...): `events` of `bytes`, from `agency` (kUnknownAgency when unknown).
    void count_refused(std::string_view agency, IngestInput input, RejectReason reason,
                       uint64_t events, uint64_t bytes);
    // Every worker's counts and the inputs' refusals, folded: thread-safe, for the metrics.
    [[nodiscard]] IngestFigures figures() const;

  private:
    class Worker;
    void work(Worker& worker);
    void run_job(Worker& worker, IngestJob& job);
    IngestResult scan_job(Worker& worker, IngestJob& job);
    void record(Worker& worker, const IngestJob& job, bool delivered);
    void report_regex_limits(Worker& worker);

    const AlertFormat& format_;
    AlertSink& sink_;
    IngestEngineOptions options_;
    std::atomic<size_t> max_event_bytes_;

    mutable std::mutex mutex_;
    std::condition_variable job_ready_;
    std::condition_variable space_ready_;
    std::deque<IngestJob> queue_;
    std::shared_ptr<const Ruleset> ruleset_;
    IngestTotals totals_;
    mutable std::mutex refused_mutex_;
    IngestFigures refused_;
    std::atomic<bool> draining_{false};
    bool stopping_ = false;

    std::unique_ptr<Worker> inline_worker_;  // threads == 0
    std::mutex inline_mutex_;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::vector<std::thread> threads_;
};

}  // namespace vigie
