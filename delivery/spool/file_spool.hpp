// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The spool as a directory of segment files (spool_segment.hpp) and cursor files
// (spool_cursor.hpp). Choices the interface leaves open:
// - Group commit: appends write to the newest segment under the spool's mutex (the page
//   cache: microseconds) and then wait for an fdatasync covering them. The first waiter
//   becomes the leader: it waits until fsync_interval_ms has passed since the previous
//   fsync began (0 by default: no wait, so the appends written during one fsync share the
//   next one, and batches grow with the load), takes every append written so far as its
//   batch, syncs without the mutex, and wakes them. With 20 ms, each job of `vigie serve`
//   waited about 10 ms for its fsync: 0.61 of the throughput without a spool, against 0.81
//   with 0 (bench/serve_outputs_load.sh, runs e and c).
//   Readers only see records once they are durable.
// - An append is never split: it goes whole into the newest segment, or into a new one
//   when it would take the newest past the segment size. The segment size is at most a
//   quarter of max_bytes, so that cursors passing segments free space in steps (with one
//   segment holding everything, nothing could be deleted and Full would never clear).
// - A cursor name seen for the first time starts at the oldest retained record: a newly
//   configured output receives what is still spooled rather than only new alerts.
// - With no cursor at all nothing would ever be forwarded: the spool then deletes its
//   segments at open and append() stores nothing (it answers Stored at once).
// - Recovery cuts a segment at its first record that does not check (torn tail, or a
//   corrupt record anywhere: what follows it cannot be framed safely) and reports it. The
//   valid records after the bad one in that segment are dropped with it; the other
//   segments are read whole. A segment missing from the sequence is reported too.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>

#include "delivery/spool/alert_spool.hpp"
#include "delivery/spool/spool_segment.hpp"

namespace vigie::spool {

class FileSpool final : public AlertSpool {
  public:
    static std::unique_ptr<FileSpool> open(const SpoolSettings& settings,
                                           const std::vector<std::string>& cursor_names,
                                           std::vector<std::string>* recovery_notes);
    ~FileSpool() override;
    FileSpool(const FileSpool&) = delete;
    FileSpool& operator=(const FileSpool&) = delete;

    AppendStatus append(std::span<const std::string_view> records) override;
    SpoolBatch read(std::string_view name, size_t max_records,
                    std::chrono::milliseconds wait) override;
    void commit(std::string_view name, SpoolPosition next) override;
    [[nodiscard]] SpoolStats stats() const override;
    [[nodiscard]] std::vector<CursorStats> cursor_stats() const override;
    void wake_readers() override;
    [[nodiscard]] std::string last_error() const override;

  private:
    struct Segment {
        uint64_t number = 0;
        std::shared_ptr<SegmentFile> file;
        std::vector<uint64_t> offsets;  // start of every record written (durable or not)
        uint64_t size = 0;              // bytes written
        uint64_t durable_size = 0;      // bytes covered by an fsync: what readers may see
        size_t durable_count = 0;       // records covered by an fsync
    };
    struct Cursor {
        std::string name;
        SpoolPosition position;  // where read() starts (moved by commit)
        SpoolPosition saved;     // what the cursor file holds: what deletion may rely on
        std::mutex io;           // one commit at a time writes this cursor's file
    };
    // The appends one fsync covers; its appenders wait until `done`.
    struct SyncBatch {
        bool done = false;
        AppendStatus status = AppendStatus::Stored;
    };
    // What a leader syncs: a segment and how far it was written when the batch closed.
    struct SyncTarget {
        std::shared_ptr<SegmentFile> file;
        uint64_t size = 0;
        size_t count = 0;
    };
    // A contiguous run of durable records a read() fetches with one pread: where each
    // starts, then where the last ends. The bounds come from memory (checked at open or
    // written here), so a record that went bad on disk since cannot misframe the others.
    struct ReadRange {
        std::shared_ptr<SegmentFile> file;
        std::vector<uint64_t> bounds;
    };
    using Lock = std::unique_lock<std::mutex>;

    explicit FileSpool(const SpoolSettings& settings);

    // file_spool_open.cpp: start-up and recovery.
    class Notes;
    void open_directory();
    std::map<std::string, std::optional<SpoolPosition>> load_cursor_files(
        const std::vector<std::string>& names, Notes& notes);
    void load_segments(Notes& notes);
    void load_segment(uint64_t number, Notes& notes);
    void drop_all_segments(Notes& notes);
    void place_cursors(const std::map<std::string, std::optional<SpoolPosition>>& saved,
                       Notes& notes);
    SpoolPosition place_cursor(const std::string& name, std::optional<SpoolPosition> saved,
                               Notes& notes) const;

    // file_spool.cpp: appends and group commit.
    AppendStatus write_records(std::span<const std::string_view> records, uint64_t framed,
                               uint64_t unix_ms);
    int create_segment();
    void lead_sync(Lock& lock);
    std::vector<SyncTarget> unsynced_targets() const;
    void publish(const std::vector<SyncTarget>& targets);
    void roll_back_unsynced(int error);
    void set_error(std::string message);

    // file_spool_read.cpp: cursors.
    [[nodiscard]] Cursor* find_cursor(std::string_view name) const;
    [[nodiscard]] size_t segment_index(uint64_t number) const;
    [[nodiscard]] std::pair<size_t, size_t> locate(SpoolPosition position) const;
    [[nodiscard]] SpoolPosition clamp_to_durable(SpoolPosition position) const;
    [[nodiscard]] std::vector<ReadRange> plan_read(SpoolPosition from, size_t max_records) const;
    bool fetch(const ReadRange& range, std::string& buffer, SpoolBatch& batch);
    [[nodiscard]] SpoolPosition past_sealed_end(SpoolPosition position) const;
    std::vector<std::string> drop_passed_segments();
    [[nodiscard]] CursorStats pending(const Cursor& cursor, ReadRange& head) const;

    SpoolSettings settings_;
    uint64_t segment_limit_ = 0;
    int dir_fd_ = -1;
    int lock_fd_ = -1;
    bool discard_ = false;  // no cursor: nothing is kept
    uint64_t next_number_ = 1;

    mutable std::mutex mu_;
    std::condition_variable synced_cv_;  // appenders waiting for their batch
    std::condition_variable linger_cv_;  // the leader waiting for the interval to pass
    std::condition_variable data_cv_;    // readers waiting for records
    std::deque<Segment> segments_;       // by number; the last one takes appends
    std::map<std::string, std::unique_ptr<Cursor>, std::less<>> cursors_;  // fixed at open
    std::shared_ptr<SyncBatch> open_batch_;
    bool syncing_ = false;
    bool dir_dirty_ = false;  // a segment was created since the last directory fsync
    bool stopping_ = false;
    std::chrono::steady_clock::time_point next_sync_{};
    std::string scratch_;  // the framed records of one append, reused
    std::string last_error_;
    uint64_t bytes_ = 0;
    uint64_t appended_ = 0;
    uint64_t refused_full_ = 0;
    uint64_t fsyncs_ = 0;
    uint64_t wake_generation_ = 0;
    bool full_ = false;
};

}  // namespace vigie::spool
