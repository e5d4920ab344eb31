// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Where the alerts of `vigie serve` go. Workers hand it each job's alert records
// (pipeline/alerts/alert_record.hpp) at once; a sink writes them with one lock, so alerts
// of different jobs never interleave mid-line. A short write is continued; a write that
// fails is reported to the job, which then counts as not delivered (HTTP 503, NATS nak),
// so its events are sent again: delivery is at least once, never silently lost.
// The failure is write()'s return value, not a state of the sink read afterwards: a sink
// is shared by the workers, so another job's failure could come in between.
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "pipeline/alerts/alert_record.hpp"

namespace vigie {

class AlertSink {
  public:
    virtual ~AlertSink() = default;
    // An Error when the alerts could not be written: of kind Refused when writing the same
    // alerts again can never succeed (they are more than the sink can ever hold), so the
    // input is refused for good (HTTP 413) rather than sent again for ever; else Failed.
    virtual Status write(std::span<const AlertRecord> alerts) = 0;
    // Pushes everything written to the kernel (and to disk for a file).
    virtual void flush() = 0;
};

// A sink that writes the records' text, one alert a line (a file, a test's memory): it
// receives the lines of a whole write() in one buffer.
class TextAlertSink : public AlertSink {
  public:
    Status write(std::span<const AlertRecord> alerts) final;
    // `lines`: the alerts' text, each ending with a newline.
    virtual Status write(std::string_view lines) = 0;
};

// "-" is standard output; any other path is opened for appending, created 0640.
class FileAlertSink final : public TextAlertSink {
  public:
    // Throws std::runtime_error when the file cannot be opened (a start-up failure).
    explicit FileAlertSink(const std::string& path, std::string_view header = {});
    ~FileAlertSink() override;
    FileAlertSink(const FileAlertSink&) = delete;
    FileAlertSink& operator=(const FileAlertSink&) = delete;

    using TextAlertSink::write;
    Status write(std::string_view alerts) override;
    void flush() override;
    [[nodiscard]] uint64_t bytes_written() const;

  private:
    Status write_all(std::string_view bytes);

    mutable std::mutex mutex_;
    int fd_ = -1;
    bool owns_fd_ = false;
    std::string header_;
    bool header_written_ = false;
    uint64_t bytes_written_ = 0;
};

}  // namespace vigie
