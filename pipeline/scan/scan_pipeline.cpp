// SPDX-License-Identifier: EUPL-1.2
#include "pipeline/scan/scan_pipeline.hpp"

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "pipeline/scan/batch_scanner.hpp"
#include "pipeline/scan/input_sequence.hpp"
#include "pipeline/scan/work_queue.hpp"

namespace vigie {

namespace {

// Where workers leave finished batches for the output stage, which takes them back in
// sequence order. At most `size` batches are in flight, so sequence % size is a free slot.
class ReorderSlots {
  public:
    explicit ReorderSlots(size_t size) : slots_(size, nullptr) {}

    void put(ScanBatch* batch) {
        {
            std::lock_guard lock(mutex_);
            slots_[batch->sequence % slots_.size()] = batch;
        }
        ready_.notify_all();
    }
    void finish(uint64_t total) {
        {
            std::lock_guard lock(mutex_);
            total_ = total;
        }
        ready_.notify_all();
    }
    // Batch `sequence`, once finished; nullptr when there is no such batch.
    ScanBatch* take(uint64_t sequence) {
        std::unique_lock lock(mutex_);
        ScanBatch*& slot = slots_[sequence % slots_.size()];
        ready_.wait(lock, [&] {
            return (slot != nullptr && slot->sequence == sequence) ||
                   (total_ && sequence >= *total_);
        });
        if (slot == nullptr || slot->sequence != sequence) return nullptr;
        return std::exchange(slot, nullptr);
    }

  private:
    std::mutex mutex_;
    std::condition_variable ready_;
    std::vector<ScanBatch*> slots_;
    std::optional<uint64_t> total_;
};

}  // namespace

ScanPipeline::ScanPipeline(std::shared_ptr<const Ruleset> ruleset, const AlertFormat& format,
                           PipelineOptions options)
    : ruleset_(std::move(ruleset)), format_(format), options_(options) {
    if (options_.threads == 0) options_.threads = 1;
}

void ScanPipeline::run(const std::vector<std::string>& inputs, ScanOutput& output) {
    if (options_.threads == 1) {
        run_inline(inputs, output);
    } else {
        run_threaded(inputs, output);
    }
}

void ScanPipeline::run_inline(const std::vector<std::string>& inputs, ScanOutput& output) {
    std::vector<std::string> names = display_names(inputs);
    InputSequence sequence(inputs, names, options_.max_event_bytes, options_.batch_bytes);
    BatchScanner scanner(ruleset_, format_, alert_options());
    ScanBatch batch;
    while (sequence.next(batch)) {
        scanner.scan(batch);
        output.on_batch(batch);
    }
}

void ScanPipeline::run_threaded(const std::vector<std::string>& inputs, ScanOutput& output) {
    std::vector<std::string> names = display_names(inputs);
    const size_t pool_size = 2 * static_cast<size_t>(options_.threads) + 2;
    std::vector<std::unique_ptr<ScanBatch>> pool;
    WorkQueue<ScanBatch*> free_batches;
    WorkQueue<ScanBatch*> work;
    for (size_t i = 0; i < pool_size; ++i) {
        pool.push_back(std::make_unique<ScanBatch>());
        free_batches.push(pool.back().get());
    }
    ReorderSlots done(pool_size);

    std::vector<std::jthread> threads;
    threads.emplace_back([&] {
        InputSequence sequence(inputs, names, options_.max_event_bytes, options_.batch_bytes);
        for (;;) {
            ScanBatch* batch = *free_batches.pop();
            if (!sequence.next(*batch)) break;
            work.push(batch);
        }
        done.finish(sequence.batches());
        work.close();
    });
    for (unsigned i = 0; i < options_.threads; ++i) {
        threads.emplace_back([&] {
            BatchScanner scanner(ruleset_, format_, alert_options());
            while (auto batch = work.pop()) {
                scanner.scan(**batch);
                done.put(*batch);
            }
        });
    }
    for (uint64_t next = 0;; ++next) {
        ScanBatch* batch = done.take(next);
        if (batch == nullptr) break;
        output.on_batch(*batch);
        free_batches.push(batch);
    }
}

}  // namespace vigie
