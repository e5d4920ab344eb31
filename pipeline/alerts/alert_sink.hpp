// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Where the alerts of `vigie serve` go. Workers hand it each job's alert records
// (pipeline/alerts/alert_record.hpp) at once; a sink writes them with one lock, so alerts
// of different jobs never interleave mid-line. A short write is continued; a write that
// fails is reported to the job, which then counts as not delivered (HTTP 503, NATS nak),
// so its events are sent again: delivery is at least once, never silently lost.
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include "pipeline/alerts/alert_record.hpp"

namespace vigie {

class AlertSink {
  public:
    virtual ~AlertSink() = default;
    // Returns false when the alerts could not be written (see error()).
    virtual bool write(std::span<const AlertRecord> alerts) = 0;
    // Pushes everything written to the kernel (and to disk for a file).
    virtual void flush() = 0;
    [[nodiscard]] virtual std::string error() const = 0;
    // After a failed write: true when writing the same alerts again can never succeed
    // (they are more than the sink can ever hold), so the input is refused for good
    // (HTTP 413) rather than sent again for ever.
    [[nodiscard]] virtual bool refused_for_good() const { return false; }
};

// A sink that writes the records' text, one alert a line (a file, a test's memory): it
// receives the lines of a whole write() in one buffer.
class TextAlertSink : public AlertSink {
  public:
    bool write(std::span<const AlertRecord> alerts) final;
    // `lines`: the alerts' text, each ending with a newline.
    virtual bool write(std::string_view lines) = 0;
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
    bool write(std::string_view alerts) override;
    void flush() override;
    [[nodiscard]] std::string error() const override;
    [[nodiscard]] uint64_t bytes_written() const;

  private:
    bool write_all(std::string_view bytes);

    mutable std::mutex mutex_;
    int fd_ = -1;
    bool owns_fd_ = false;
    std::string header_;
    bool header_written_ = false;
    uint64_t bytes_written_ = 0;
    std::string error_;
};

}  // namespace vigie
