// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The scan pipeline: a reader cuts the inputs into batches at document boundaries, N
// workers (each with its own BatchScanner) parse, scan and evaluate them, and the
// output stage receives the batches in input order. Memory is bounded by a fixed pool
// of batches (2 per worker + 2), whatever the input size. With one thread everything
// runs on the caller's thread.
#include <memory>
#include <string>
#include <vector>

#include "detector/ruleset.hpp"
#include "ingest/input_reader.hpp"
#include "pipeline/alerts/alert_format.hpp"
#include "pipeline/scan/batch_scanner.hpp"
#include "pipeline/scan/scan_batch.hpp"

namespace vigie {

struct PipelineOptions {
    unsigned threads = 1;
    size_t max_event_bytes = 1 << 20;
    size_t batch_bytes = InputReader::kChunkBytes;
    Level min_level = Level::Informational;
    const IndicatorSource* indicators = nullptr;  // threat indicators; null: none
};

// The ordered end of the pipeline: called on the caller's thread, in input order.
class ScanOutput {
  public:
    virtual ~ScanOutput() = default;
    virtual void on_batch(const ScanBatch& batch) = 0;
};

class ScanPipeline {
  public:
    ScanPipeline(std::shared_ptr<const Ruleset> ruleset, const AlertFormat& format,
                 PipelineOptions options);

    // Scans `inputs` (paths, or "-" for stdin) in order; returns when all are done.
    void run(const std::vector<std::string>& inputs, ScanOutput& output);

  private:
    class Reading;
    void run_inline(const std::vector<std::string>& inputs, ScanOutput& output);
    void run_threaded(const std::vector<std::string>& inputs, ScanOutput& output);
    [[nodiscard]] AlertOptions alert_options() const {
        AlertOptions a;
        a.min_level = options_.min_level;
        a.indicators = options_.indicators;
        return a;
    }

    std::shared_ptr<const Ruleset> ruleset_;
    const AlertFormat& format_;
    PipelineOptions options_;
};

}  // namespace vigie
