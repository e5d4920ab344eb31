#include "serve/ingest_engine.hpp"

#include <utility>

#include "ingest/input_reader.hpp"
#include "runtime/batch_scanner.hpp"

namespace vigie {

// A worker's state: its scanner over the ruleset generation it was built for, and one
// batch reused for every job.
class IngestEngine::Worker {
  public:
    uint64_t generation = 0;
    std::unique_ptr<BatchScanner> scanner;
    ScanBatch batch;
};

IngestEngine::IngestEngine(std::shared_ptr<const Ruleset> ruleset, const AlertFormat& format,
                           AlertSink& sink, IngestEngineOptions options)
    : format_(format), sink_(sink), options_(options), ruleset_(std::move(ruleset)) {
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
    ++ruleset_generation_;
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
    try {
        result = scan_job(worker, job);
    } catch (const std::exception& e) {
        result = {};
        result.output_error = std::string("the job could not run: ") + e.what();
        worker.scanner.reset();  // rebuilt for the next job
    }
    {
        std::lock_guard lock(mutex_);
        ++totals_.jobs;
        totals_.events += result.accepted;
        totals_.rejected += result.rejected.size();
        totals_.alerts += result.alerts;
    }
    if (job.done) job.done(std::move(result));
}

IngestResult IngestEngine::scan_job(Worker& worker, IngestJob& job) {
    std::shared_ptr<const Ruleset> rules;
    uint64_t generation = 0;
    {
        std::lock_guard lock(mutex_);
        rules = ruleset_;
        generation = ruleset_generation_;
    }
    if (!worker.scanner || worker.generation != generation) {
        worker.scanner = std::make_unique<BatchScanner>(rules, format_, options_.min_level);
        worker.generation = generation;
    }
    ScanBatch& batch = worker.batch;
    batch.source = &job.source;
    batch.agency = job.agency;
    batch.keep_rejections = true;
    batch.clear_results();

    IngestResult result;
    InputReader reader(std::string_view(job.body), options_.max_event_bytes);
    while (reader.next_batch(batch.input) == InputReader::Status::Batch) {
        worker.scanner->scan(batch);
        result.accepted += batch.counters.events;
        for (uint64_t n : batch.counters.alerts_by_level) result.alerts += n;
        for (auto& r : batch.rejections) result.rejected.push_back({r.line, std::move(r.message)});
        if (!sink_.write(batch.alerts)) result.output_error = sink_.error();
        if (options_.metrics != nullptr) options_.metrics->add(batch.counters, job.agency);
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

}  // namespace vigie
