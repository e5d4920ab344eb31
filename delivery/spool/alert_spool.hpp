// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The local store-and-forward spool of `vigie serve`: every alert is appended here, and
// made durable, before the input that produced it is acknowledged; each forwarding output
// (NATS hub, webhook, syslog) reads it from its own cursor and moves the cursor only after
// its upstream acknowledged. A restart resumes from the cursors; segments every cursor
// has passed are deleted. When the spool holds max_bytes, append() refuses, and the
// inputs turn that into back-pressure (HTTP 503, NATS not acknowledged).
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "delivery/spool/spool_settings.hpp"

namespace vigie {

// Where a record starts in the spool: the segment's number and the byte offset in it.
struct SpoolPosition {
    uint64_t segment = 0;
    uint64_t offset = 0;
    friend bool operator==(const SpoolPosition&, const SpoolPosition&) = default;
    // NOLINTNEXTLINE(modernize-use-nullptr): a clang-tidy 14 false positive on <=>
    friend auto operator<=>(const SpoolPosition&, const SpoolPosition&) = default;
};

// TooLarge: the records are more than even an empty spool holds (max_bytes): they can
// never be stored, however long the caller waits.
enum class AppendStatus : uint8_t { Stored, Full, IoError, TooLarge };

struct SpoolRecord {
    std::string data;  // one alert (a JSON line without its newline)
    uint64_t appended_unix_ms = 0;
};

// What a cursor read: records from the cursor on, and where the cursor goes once they
// have been delivered.
struct SpoolBatch {
    std::vector<SpoolRecord> records;
    SpoolPosition next;
};

struct SpoolStats {
    uint64_t bytes = 0;  // on disk, all segments
    uint64_t max_bytes = 0;
    uint64_t appended_records = 0;
    uint64_t refused_full = 0;  // append() calls answered Full since start
    uint64_t fsyncs = 0;
    bool full = false;
};

struct CursorStats {
    std::string name;
    uint64_t pending_records = 0;  // appended, not yet delivered by this cursor
    uint64_t pending_bytes = 0;
    double oldest_pending_age_seconds = 0;  // 0 when nothing is pending
};

class AlertSpool {
  public:
    // Opens (creating if needed) the spool directory with one cursor per name, recovering
    // from a crash: a torn record at a segment's end is cut off (and reported through
    // `recovery_notes`), cursors of names no longer configured are dropped. Throws
    // std::runtime_error when the directory cannot be used (a start-up failure).
    static std::unique_ptr<AlertSpool> open(const SpoolSettings& settings,
                                            const std::vector<std::string>& cursor_names,
                                            std::vector<std::string>* recovery_notes = nullptr);
    virtual ~AlertSpool() = default;

    // Appends the records (each one alert envelope; framed by length, any bytes) and returns once
    // they are on disk (fsync'd; concurrent callers share one fsync: group commit). All
    // or nothing: Full when they do not fit under max_bytes, IoError when a write failed.
    virtual AppendStatus append(std::span<const std::string_view> records) = 0;

    // Reads up to max_records records after cursor `name`, waiting up to `wait` for the
    // first one; an empty batch when none came. Does not move the cursor.
    virtual SpoolBatch read(std::string_view name, size_t max_records,
                            std::chrono::milliseconds wait) = 0;
    // Moves cursor `name` to `next` (from a SpoolBatch) durably; deletes the segments that
    // every cursor has passed.
    virtual void commit(std::string_view name, SpoolPosition next) = 0;

    [[nodiscard]] virtual SpoolStats stats() const = 0;
    [[nodiscard]] virtual std::vector<CursorStats> cursor_stats() const = 0;
    // Wakes every read() that waits (for shutdown).
    virtual void wake_readers() = 0;
    // The last disk error (an append's IoError, a commit whose cursor file could not be
    // written, a record that failed its checksum when read), for the log; empty when none.
    [[nodiscard]] virtual std::string last_error() const { return {}; }
};

}  // namespace vigie
