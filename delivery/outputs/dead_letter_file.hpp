// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Where a forwarding output puts the alerts its upstream refused for good (HTTP 413, 400,
// 422; a NATS message over the hub's max_payload or its stream's max_msg_size), so that one
// such alert cannot stall the output forever: <spool directory>/dead-letters/<output>.jsonl,
// one JSON object a line:
//   {"time":<unix ms>,"output":"hub","uid":"...","reason":"...","alert":<the alert>}
// made durable (fsync) before the output's cursor moves past the alert. Bounded: an alert
// that would take the file past max_bytes is not written (write() is an error), and the output
// retries it like any failure, until an operator moves the file away (nothing is dropped).
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "pipeline/alerts/alert_envelope.hpp"

namespace vigie {

class DeadLetterFile {
  public:
    // Creates <directory>/dead-letters when missing; throws std::runtime_error when it cannot.
    DeadLetterFile(const std::string& spool_directory, std::string output, uint64_t max_bytes);
    ~DeadLetterFile();
    DeadLetterFile(const DeadLetterFile&) = delete;
    DeadLetterFile& operator=(const DeadLetterFile&) = delete;

    // Appends one refused alert; an error (naming the file) when full or on I/O error.
    Status write(const AlertRouting& routing, std::string_view alert, std::string_view reason);
    [[nodiscard]] const std::string& path() const { return path_; }

  private:
    const std::string output_;
    const uint64_t max_bytes_;
    std::string path_;
    int fd_ = -1;
    uint64_t bytes_ = 0;
    std::mutex mutex_;
};

}  // namespace vigie
