// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Walks the scan's inputs (paths, or "-" for stdin) in order and cuts them into
// batches, numbering the batches consecutively across inputs. An input that cannot be
// opened or read yields a batch carrying the failure, so that it is reported in order.
#include <memory>
#include <string>
#include <vector>

#include "ingest/input_reader.hpp"
#include "pipeline/scan/scan_batch.hpp"

namespace vigie {

class InputSequence {
  public:
    // `names` (display names, one per input) must outlive the batches.
    InputSequence(const std::vector<std::string>& inputs, const std::vector<std::string>& names,
                  size_t max_event_bytes, size_t batch_bytes);

    // Refills `batch`; false when every input is done.
    bool next(ScanBatch& batch);
    [[nodiscard]] uint64_t batches() const { return sequence_; }

  private:
    bool open_current(ScanBatch& batch);
    void stamp(ScanBatch& batch, std::string failure);

    const std::vector<std::string>& inputs_;
    const std::vector<std::string>& names_;
    size_t max_event_bytes_;
    size_t batch_bytes_;
    size_t current_ = 0;
    std::unique_ptr<InputReader> reader_;
    uint64_t sequence_ = 0;
};

// "<stdin>" for "-", else the path.
std::vector<std::string> display_names(const std::vector<std::string>& inputs);

}  // namespace vigie
