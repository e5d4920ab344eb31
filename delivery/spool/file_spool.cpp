// SPDX-License-Identifier: EUPL-1.2
// FileSpool: appends and the group commit (see file_spool.hpp for the design).
#include "delivery/spool/file_spool.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "core/clock.hpp"
#include "delivery/spool/spool_cursor.hpp"

namespace vigie {

std::unique_ptr<AlertSpool> AlertSpool::open(const SpoolSettings& settings,
                                             const std::vector<std::string>& cursor_names,
                                             std::vector<std::string>* recovery_notes) {
    return spool::FileSpool::open(settings, cursor_names, recovery_notes);
}

namespace spool {
namespace {

std::string errno_text(int error) {
    return std::strerror(error);
}

}  // namespace

FileSpool::FileSpool(const SpoolSettings& settings) : settings_(settings) {
    // At most a quarter of max_bytes (see the header), at least one record per segment.
    segment_limit_ = std::max<uint64_t>(std::min(settings.segment_bytes, settings.max_bytes / 4),
                                        kSegmentHeaderBytes + 1);
}

FileSpool::~FileSpool() {
    {
        const std::lock_guard lock(mu_);
        stopping_ = true;
    }
    linger_cv_.notify_all();
    data_cv_.notify_all();
    segments_.clear();
    if (dir_fd_ >= 0) ::close(dir_fd_);
    if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

AppendStatus FileSpool::append(std::span<const std::string_view> records) {
    if (records.empty()) return AppendStatus::Stored;
    uint64_t framed = 0;
    for (const std::string_view record : records) {
        if (record.size() > kMaxRecordBytes) {
            const std::lock_guard lock(mu_);
            set_error("alert spool: a record of " + std::to_string(record.size()) +
                      " bytes is over the spool's record limit");
            return AppendStatus::IoError;
        }
        framed += kRecordHeaderBytes + record.size();
    }
    Lock lock(mu_);
    if (discard_) {
        appended_ += records.size();
        return AppendStatus::Stored;
    }
    if (kSegmentHeaderBytes + framed > settings_.max_bytes) return AppendStatus::TooLarge;
    // A new segment's header counts too, so that bytes never pass max_bytes.
    const Segment& newest = segments_.back();
    const bool rolls = !newest.offsets.empty() && newest.size + framed > segment_limit_;
    if (bytes_ + framed + (rolls ? kSegmentHeaderBytes : 0) > settings_.max_bytes) {
        ++refused_full_;
        full_ = true;
        return AppendStatus::Full;
    }
    const AppendStatus written =
        write_records(records, framed, static_cast<uint64_t>(unix_now_ms()));
    if (written != AppendStatus::Stored) return written;
    if (!open_batch_) open_batch_ = std::make_shared<SyncBatch>();
    const std::shared_ptr<SyncBatch> batch = open_batch_;
    while (!batch->done) {
        if (!syncing_) {
            lead_sync(lock);
        } else {
            synced_cv_.wait(lock);
        }
    }
    if (batch->status == AppendStatus::Stored) {
        appended_ += records.size();
        full_ = false;
    }
    return batch->status;
}

AppendStatus FileSpool::write_records(std::span<const std::string_view> records, uint64_t framed,
                                      uint64_t unix_ms) {
    if (!segments_.back().offsets.empty() && segments_.back().size + framed > segment_limit_) {
        if (const int err = create_segment()) {
            set_error("alert spool: cannot create a segment: " + errno_text(err));
            return AppendStatus::IoError;
        }
    }
    Segment& segment = segments_.back();
    scratch_.clear();
    for (const std::string_view record : records) encode_record(scratch_, record, unix_ms);
    // The write goes to the page cache under the mutex; only the fsync is slow, and it
    // runs without the mutex (lead_sync).
    if (const int err = segment.file->write_at(segment.size, scratch_)) {
        (void)segment.file->truncate(segment.size);  // a partial write must not stay
        set_error("alert spool: cannot write " + segment.file->path() + ": " + errno_text(err));
        return AppendStatus::IoError;
    }
    uint64_t offset = segment.size;
    for (const std::string_view record : records) {
        segment.offsets.push_back(offset);
        offset += kRecordHeaderBytes + record.size();
    }
    segment.size = offset;
    bytes_ += framed;
    if (scratch_.capacity() > (8U << 20)) std::string().swap(scratch_);  // one huge append
    return AppendStatus::Stored;
}

int FileSpool::create_segment() {
    const uint64_t number = segments_.empty() ? next_number_ : segments_.back().number + 1;
    const std::string name = segment_file_name(number);
    const int fd = ::openat(dir_fd_, name.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) return errno;
    auto file = std::make_shared<SegmentFile>(fd, settings_.directory + "/" + name, number);
    if (const int err = file->write_at(0, kSegmentMagic)) {
        ::unlinkat(dir_fd_, name.c_str(), 0);
        return err;
    }
    // Not durable yet (durable_size 0): the next group commit syncs the header with the
    // records, and the directory for the new name.
    segments_.push_back(Segment{number, std::move(file), {}, kSegmentHeaderBytes, 0, 0});
    bytes_ += kSegmentHeaderBytes;
    dir_dirty_ = true;
    return 0;
}

// Called with the mutex held by the first appender that finds no sync running.
void FileSpool::lead_sync(Lock& lock) {
    syncing_ = true;
    // Lingering lets the appends of the interval join this batch (their writes take the
    // mutex this wait releases).
    linger_cv_.wait_until(lock, next_sync_, [this] { return stopping_; });
    const std::shared_ptr<SyncBatch> batch = std::exchange(open_batch_, nullptr);
    const std::vector<SyncTarget> targets = unsynced_targets();
    const bool sync_dir = std::exchange(dir_dirty_, false);
    const auto started = std::chrono::steady_clock::now();
    lock.unlock();
    int err = 0;
    uint64_t syncs = 0;
    for (const SyncTarget& target : targets) {
        if (err == 0) err = target.file->datasync();
        ++syncs;
    }
    if (err == 0 && sync_dir) err = sync_directory(dir_fd_);
    lock.lock();
    fsyncs_ += syncs;
    next_sync_ = started + std::chrono::milliseconds(settings_.fsync_interval_ms);
    if (err == 0) {
        publish(targets);
        data_cv_.notify_all();
    } else {
        dir_dirty_ = dir_dirty_ || sync_dir;
        roll_back_unsynced(err);
        batch->status = AppendStatus::IoError;
    }
    batch->done = true;
    syncing_ = false;
    synced_cv_.notify_all();
}

std::vector<FileSpool::SyncTarget> FileSpool::unsynced_targets() const {
    std::vector<SyncTarget> targets;
    for (const Segment& segment : segments_) {
        if (segment.size > segment.durable_size) {
            targets.push_back(SyncTarget{segment.file, segment.size, segment.offsets.size()});
        }
    }
    return targets;
}

void FileSpool::publish(const std::vector<SyncTarget>& targets) {
    for (const SyncTarget& target : targets) {
        const size_t i = segment_index(target.file->number());
        if (i == segments_.size()) continue;
        Segment& segment = segments_[i];
        segment.durable_size = std::max(segment.durable_size, target.size);
        segment.durable_count = std::max(segment.durable_count, target.count);
    }
}

// After a failed fsync the state of the unsynced bytes is unknown (the kernel may have
// dropped them): every append not yet durable fails, its bytes are cut off so that a
// retry does not store it twice, and the appends that joined the next batch fail too.
void FileSpool::roll_back_unsynced(int error) {
    set_error("alert spool: fsync failed: " + errno_text(error));
    for (Segment& segment : segments_) {
        if (segment.size == segment.durable_size) continue;
        const uint64_t keep = std::max(segment.durable_size, kSegmentHeaderBytes);
        (void)segment.file->truncate(keep);
        bytes_ -= segment.size - keep;
        segment.size = keep;
        segment.offsets.resize(segment.durable_count);
    }
    if (open_batch_) {
        open_batch_->status = AppendStatus::IoError;
        open_batch_->done = true;
        open_batch_.reset();
    }
}

// Called with mu_ held.
void FileSpool::set_error(std::string message) {
    last_error_ = std::move(message);
}

SpoolStats FileSpool::stats() const {
    const std::lock_guard lock(mu_);
    return SpoolStats{bytes_, settings_.max_bytes, appended_, refused_full_, fsyncs_, full_};
}

void FileSpool::wake_readers() {
    {
        const std::lock_guard lock(mu_);
        ++wake_generation_;
    }
    data_cv_.notify_all();
}

std::string FileSpool::last_error() const {
    const std::lock_guard lock(mu_);
    return last_error_;
}

}  // namespace spool
}  // namespace vigie
