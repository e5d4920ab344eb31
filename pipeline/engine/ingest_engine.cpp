// SPDX-License-Identifier: EUPL-1.2
#include "pipeline/engine/ingest_engine.hpp"

#include <chrono>
#include <unordered_map>
#include <utility>

#include "ingest/input_reader.hpp"
#include "pipeline/scan/batch_scanner.hpp"

namespace vigie {

namespace {

// The reason label of a rejected document, from the reader's and the parser's messages.
RejectReason rejection_reason(std::string_view message) {
    if (message.find("over the limit") != std::string_view::npos) return RejectReason::TooLarge;
    if (message.find("not a JSON object") != std::string_view::npos) return RejectReason::NotObject;
    if (message.find("UTF-8") != std::string_view::npos ||
        message.find("UTF8") != std::string_view::npos)
        return RejectReason::InvalidUtf8;
    return RejectReason::MalformedJson;
}

void count_batch(const ScanBatch& batch, IngestCounts& c,
                 std::unordered_map<const Rule*, uint64_t>& rules) {
    c.received += batch.counters.events + batch.counters.rejected;
    c.rule_evaluations += batch.counters.rule_evaluations;
    for (size_t i = 0; i < c.alerts.size(); ++i) c.alerts[i] += batch.counters.alerts_by_level[i];
    for (const auto& r : batch.rejections) c.reject(rejection_reason(r.message), 1);
    for (const Rule* rule : batch.matched_rules) ++rules[rule];
}

// A job whose alerts could not be written was not delivered: the events it accepted count
// as rejected (output_error), its alerts not at all; the sender sends it again.
void count_undelivered(IngestCounts& c) {
    uint64_t rejected = 0;
    for (uint64_t n : c.rejected) rejected += n;
    if (c.received == 0) c.received = 1;  // failed before reading anything: the job counts 1
    if (c.received > rejected) c.reject(RejectReason::OutputError, c.received - rejected);
    c.alerts = {};
}

}  // namespace

// A worker's state: its scanner over the ruleset it was built for, one batch
// reused for every job, and its counts.
class IngestEngine::Worker {
  public:
    std::shared_ptr<const Ruleset> rules;  // the scanner's
    std::unique_ptr<BatchScanner> scanner;
    ScanBatch batch;
    // The current job's counts and matched rules (pointers into the scanner's ruleset),
    // added to `tally` once the job is answered.
    IngestCounts job_counts;
    std::unordered_map<const Rule*, uint64_t> job_rules;
    std::unordered_map<const Rule*, uint64_t> job_regex_limits;  // rare: a map is fine
    // Taken by this worker once per job, and by figures() at scrape time: uncontended.
    mutable std::mutex tally_mutex;
    IngestFigures tally;
};

IngestEngine::IngestEngine(std::shared_ptr<const Ruleset> ruleset, const AlertFormat& format,
                           AlertSink& sink, IngestEngineOptions options)
    : format_(format),
      sink_(sink),
      options_(std::move(options)),
      max_event_bytes_(options_.max_event_bytes),
      ruleset_(std::move(ruleset)) {
    if (options_.threads == 0) {
        inline_worker_ = std::make_unique<Worker>();
        return;
    }
    for (unsigned i = 0; i < options_.threads; ++i) {
        workers_.push_back(std::make_unique<Worker>());
        threads_.emplace_back([this, w = workers_.back().get()] { work(*w); });
    }
}

IngestEngine::~IngestEngine() {
    drain();
}

IngestEngine::Submit IngestEngine::submit(IngestJob&& job) {
    if (inline_worker_) {
        if (draining_) return Submit::Draining;
        std::lock_guard lock(inline_mutex_);
        run_job(*inline_worker_, job);
        return Submit::Queued;
    }
    {
        std::lock_guard lock(mutex_);
        if (draining_) return Submit::Draining;
        if (queue_.size() >= options_.queue_capacity) return Submit::Full;
        queue_.push_back(std::move(job));
    }
    job_ready_.notify_one();
    return Submit::Queued;
}

IngestEngine::Submit IngestEngine::submit_wait(IngestJob&& job) {
    if (inline_worker_) return submit(std::move(job));
    {
        std::unique_lock lock(mutex_);
        space_ready_.wait(lock,
                          [&] { return draining_ || queue_.size() < options_.queue_capacity; });
        if (draining_) return Submit::Draining;
        queue_.push_back(std::move(job));
    }
    job_ready_.notify_one();
    return Submit::Queued;
}

void IngestEngine::replace_ruleset(std::shared_ptr<const Ruleset> ruleset) {
    std::lock_guard lock(mutex_);
    ruleset_ = std::move(ruleset);
}

std::shared_ptr<const Ruleset> IngestEngine::ruleset() const {
    std::lock_guard lock(mutex_);
    return ruleset_;
}

void IngestEngine::work(Worker& worker) {
    for (;;) {
        IngestJob job;
        {
            std::unique_lock lock(mutex_);
            job_ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping, and nothing left to do
            job = std::move(queue_.front());
            queue_.pop_front();
        }
        space_ready_.notify_one();
        run_job(worker, job);
    }
}

// A job that cannot run (out of memory, Hyperscan refusing a scratch) is answered as
// not delivered, never dropped: the caller (HTTP 503, NATS nak) has it sent again.
void IngestEngine::run_job(Worker& worker, IngestJob& job) {
    IngestResult result;
    worker.job_counts = {};
    worker.job_rules.clear();
    worker.job_regex_limits.clear();
    try {
        result = scan_job(worker, job);
    } catch (const std::exception& e) {
        result = {};
        result.output_error = std::string("the job could not run: ") + e.what();
        worker.job_rules.clear();  // they point into the scanner's rules
        worker.job_regex_limits.clear();
        worker.scanner.reset();  // rebuilt for the next job
    }
    const bool delivered = result.output_error.empty();
    // Evaluated again later (kept_when_undelivered): that run counts, not this one.
    const bool counted = delivered || !job.kept_when_undelivered;
    if (counted) {
        std::lock_guard lock(mutex_);
        ++totals_.jobs;
        totals_.events += result.accepted;
        totals_.rejected += result.rejected.size();
        totals_.alerts += result.alerts;
    }
    if (job.done) job.done(std::move(result));
    if (options_.count_figures && counted) record(worker, job, delivered);
    if (!counted) worker.job_regex_limits.clear();  // told by the run that counts
    report_regex_limits(worker);
}

// After `done`, off the sender's wait: counted by rule id (whether the job was delivered or
// not: the limit was hit all the same) and told to the caller (the log).
void IngestEngine::report_regex_limits(Worker& worker) {
    if (worker.job_regex_limits.empty()) return;
    if (options_.count_figures) {
        std::lock_guard lock(worker.tally_mutex);
        for (const auto& [rule, n] : worker.job_regex_limits)
            worker.tally.regex_limit_hits.count(rule->id, n, options_.max_rule_labels);
    }
    if (options_.on_regex_limit) {
        for (const auto& [rule, n] : worker.job_regex_limits) options_.on_regex_limit(rule->id, n);
    }
    worker.job_regex_limits.clear();
}

// After `done`: the latency runs until the sender was answered or acknowledged.
void IngestEngine::record(Worker& worker, const IngestJob& job, bool delivered) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - job.received).count();
    if (!delivered) {
        count_undelivered(worker.job_counts);
        worker.job_rules.clear();
    }
    std::lock_guard lock(worker.tally_mutex);
    worker.tally.at(job.agency, job.input).add(worker.job_counts);
    for (const auto& [rule, n] : worker.job_rules)
        worker.tally.rule_matches.count(rule->id, n, options_.max_rule_labels);
    worker.tally.latency.observe(seconds);
}

IngestResult IngestEngine::scan_job(Worker& worker, IngestJob& job) {
    // The rules the job's request began with, else the engine's now.
    std::shared_ptr<const Ruleset> rules = job.ruleset;
    if (!rules) {
        std::lock_guard lock(mutex_);
        rules = ruleset_;
    }
    // The worker's scanner holds its ruleset, so another one never has its address.
    if (!worker.scanner || worker.rules != rules) {
        AlertOptions alert_options = options_.alerts;
        alert_options.min_level = options_.min_level;
        alert_options.records = true;  // the sink takes records
        worker.scanner = std::make_unique<BatchScanner>(rules, format_, alert_options);
        worker.rules = std::move(rules);
    }
    ScanBatch& batch = worker.batch;
    batch.source = &job.source;
    batch.agency = job.agency;
    batch.keep_rejections = true;
    batch.clear_results();

    IngestResult result;
    worker.job_counts.bytes = job.body.size();
    const size_t max_event_bytes = job.max_event_bytes != 0
                                       ? job.max_event_bytes
                                       : max_event_bytes_.load(std::memory_order_relaxed);
    InputReader reader(std::string_view(job.body), max_event_bytes);
    while (InputReader::filled(reader.next_batch(batch.input))) {  // a body: no I/O error
        worker.scanner->scan(batch);
        for (const Rule* rule : batch.regex_limit_rules) ++worker.job_regex_limits[rule];
        if (options_.count_figures) count_batch(batch, worker.job_counts, worker.job_rules);
        result.accepted += batch.counters.events;
        for (uint64_t n : batch.counters.alerts_by_level) result.alerts += n;
        for (auto& r : batch.rejections) result.rejected.push_back({r.line, std::move(r.message)});
        // The words and the kind come from this write's own Status: the sink is shared by
        // the workers, another job's failure must not become this job's answer.
        const Status written = sink_.write(batch.records.records());
        // A refusal for good is the job's answer (413), whatever later batches meet.
        if (!written && !result.output_refused_for_good) {
            result.output_error = written.error().message;
            result.output_refused_for_good = written.error().kind == ErrorKind::Refused;
        }
    }
    return result;
}

void IngestEngine::drain() {
    {
        std::lock_guard lock(mutex_);
        draining_ = true;
        stopping_ = true;
    }
    job_ready_.notify_all();
    space_ready_.notify_all();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
    if (inline_worker_) {
        std::lock_guard wait_for_inline_job(inline_mutex_);
    }
    sink_.flush();
}

bool IngestEngine::ready() const {
    std::lock_guard lock(mutex_);
    return !draining_ && (inline_worker_ || queue_.size() < options_.queue_capacity);
}

size_t IngestEngine::queued() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
}

IngestTotals IngestEngine::totals() const {
    std::lock_guard lock(mutex_);
    return totals_;
}

void IngestEngine::count_refused(std::string_view agency, IngestInput input, RejectReason reason,
                                 uint64_t events, uint64_t bytes) {
    std::lock_guard lock(refused_mutex_);
    IngestCounts& c = refused_.at(agency, input);
    c.received += events;
    c.bytes += bytes;
    c.reject(reason, events);
}

IngestFigures IngestEngine::figures() const {
    IngestFigures f;
    {
        std::lock_guard lock(refused_mutex_);
        f.add(refused_);
    }
    auto fold = [&f](const Worker& w) {
        std::lock_guard lock(w.tally_mutex);
        f.add(w.tally);
    };
    if (inline_worker_) fold(*inline_worker_);
    for (const auto& w : workers_) fold(*w);
    return f;
}

}  // namespace vigie
