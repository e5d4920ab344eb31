// SPDX-License-Identifier: EUPL-1.2
#include "pipeline/scan/input_sequence.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigie {

std::vector<std::string> display_names(const std::vector<std::string>& inputs) {
    std::vector<std::string> names;
    names.reserve(inputs.size());
    for (const auto& in : inputs) names.push_back(in == "-" ? "<stdin>" : in);
    return names;
}

InputSequence::InputSequence(const std::vector<std::string>& inputs,
                             const std::vector<std::string>& names, size_t max_event_bytes,
                             size_t batch_bytes)
    : inputs_(inputs),
      names_(names),
      max_event_bytes_(max_event_bytes),
      batch_bytes_(batch_bytes) {}

void InputSequence::stamp(ScanBatch& batch, std::string failure) {
    batch.sequence = sequence_++;
    batch.source = &names_[current_];
    batch.failure = std::move(failure);
}

// Opens the current input; on failure fills `batch` with the failure and moves on.
bool InputSequence::open_current(ScanBatch& batch) {
    const std::string& path = inputs_[current_];
    int fd = path == "-" ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        batch.input.clear();
        stamp(batch, names_[current_] + ": cannot open: " + std::strerror(errno));
        ++current_;
        return false;
    }
    reader_ = std::make_unique<InputReader>(fd, max_event_bytes_, batch_bytes_);
    return true;
}

bool InputSequence::next(ScanBatch& batch) {
    while (current_ < inputs_.size()) {
        if (!reader_ && !open_current(batch)) return true;
        const Result<InputReader::Next> next = reader_->next_batch(batch.input);
        if (InputReader::filled(next)) {
            stamp(batch, {});
            return true;
        }
        if (!next) {
            stamp(batch, names_[current_] + ": read error: " + next.error().message);
            reader_.reset();
            ++current_;
            return true;
        }
        reader_.reset();
        ++current_;
    }
    return false;
}

}  // namespace vigie
