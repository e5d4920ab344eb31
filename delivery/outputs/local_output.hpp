// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The local outputs (stdout, file), written by the workers before the input that produced
// the alerts is acknowledged. A file is appended to as NDJSON, rotated by size
// (path -> path.1 -> ... -> path.keep_files, the oldest dropped) and synced to disk by its
// fsync policy: never (the kernel decides), batch (once per buffer a job hands over),
// always (after every alert). A failed write is a value the caller turns into
// back-pressure; the bytes of the failed chunk are cut off again so that the file never
// keeps half a line.
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "delivery/outputs/output_settings.hpp"
#include "delivery/outputs/output_stats.hpp"

namespace vigie {

class LocalOutput {
  public:
    // settings.type is Stdout or File. Throws std::runtime_error when the file cannot be
    // opened (a start-up failure).
    explicit LocalOutput(const OutputSettings& settings);
    ~LocalOutput();
    LocalOutput(const LocalOutput&) = delete;
    LocalOutput& operator=(const LocalOutput&) = delete;

    // Writes complete alert lines (each ending with '\n'). Thread-safe: one buffer is
    // written under one lock, so buffers of different jobs never interleave. An error says
    // "output <name> (<path>): <what failed>: <strerror>"; a success holds no text.
    Status write(std::string_view lines);
    // Pushes everything to disk (files; a no-op for stdout).
    void flush();

    [[nodiscard]] const std::string& name() const { return name_; }
    [[nodiscard]] const OutputFilter& filter() const { return filter_; }
    [[nodiscard]] OutputCounters& counters() { return counters_; }
    [[nodiscard]] OutputStats stats() const { return counters_.snapshot(); }
    [[nodiscard]] uint64_t fsync_count() const;
    [[nodiscard]] uint64_t rotations() const;

  private:
    Status write_chunk(std::string_view bytes);
    Status sync();
    Status rotate();
    Status open_file();
    [[nodiscard]] Error describe(std::string_view what) const;

    const std::string name_;
    const OutputFilter filter_;
    const bool is_file_;
    const FileOutputSettings file_;
    OutputCounters counters_;

    mutable std::mutex mutex_;
    int fd_ = -1;
    uint64_t size_ = 0;  // of the current file, as written through this object
    uint64_t fsyncs_ = 0;
    uint64_t rotations_ = 0;
};

}  // namespace vigie
