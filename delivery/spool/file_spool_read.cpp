// SPDX-License-Identifier: EUPL-1.2
// FileSpool: cursors (read, commit, the segments they free, their statistics).
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "core/clock.hpp"
#include "delivery/spool/file_spool.hpp"
#include "delivery/spool/spool_cursor.hpp"

namespace vigie::spool {

// The map is filled at open and never changes: looking a cursor up needs no lock.
FileSpool::Cursor* FileSpool::find_cursor(std::string_view name) const {
    const auto it = cursors_.find(name);
    return it == cursors_.end() ? nullptr : it->second.get();
}

// The index of the first segment numbered `number` or more (segments_.size() when none).
size_t FileSpool::segment_index(uint64_t number) const {
    const auto it =
        std::lower_bound(segments_.begin(), segments_.end(), number,
                         [](const Segment& segment, uint64_t n) { return segment.number < n; });
    return static_cast<size_t>(it - segments_.begin());
}

// The first durable record at or after `position`: (segment index, record index), or
// (segments_.size(), 0) when there is none. A position between records (only a damaged
// cursor file gives one) goes to the next record.
std::pair<size_t, size_t> FileSpool::locate(SpoolPosition position) const {
    for (size_t i = segment_index(position.segment); i < segments_.size(); ++i) {
        const Segment& segment = segments_[i];
        const uint64_t from = segment.number == position.segment ? position.offset : 0;
        const auto begin = segment.offsets.begin();
        const auto end = begin + static_cast<std::ptrdiff_t>(segment.durable_count);
        const auto it = std::lower_bound(begin, end, from);
        if (it != end) return {i, static_cast<size_t>(it - begin)};
    }
    return {segments_.size(), 0};
}

// A commit never goes past what is durable, so that a bad position cannot free a segment
// holding records not yet synced.
SpoolPosition FileSpool::clamp_to_durable(SpoolPosition position) const {
    for (const Segment& segment : segments_) {
        if (position.segment <= segment.number || segment.size != segment.durable_size ||
            &segment == &segments_.back()) {
            return std::min(position, SpoolPosition{segment.number, segment.durable_size});
        }
    }
    return position;
}

std::vector<FileSpool::ReadRange> FileSpool::plan_read(SpoolPosition from,
                                                       size_t max_records) const {
    std::vector<ReadRange> ranges;
    auto [i, r] = locate(from);
    for (; i < segments_.size() && max_records > 0; ++i, r = 0) {
        const Segment& segment = segments_[i];
        if (r >= segment.durable_count) continue;
        const size_t last = r + std::min(max_records, segment.durable_count - r);
        ReadRange range{segment.file, {}};
        range.bounds.assign(segment.offsets.begin() + static_cast<std::ptrdiff_t>(r),
                            segment.offsets.begin() + static_cast<std::ptrdiff_t>(last));
        range.bounds.push_back(last < segment.durable_count ? segment.offsets[last]
                                                            : segment.durable_size);
        max_records -= last - r;
        ranges.push_back(std::move(range));
    }
    return ranges;
}

SpoolBatch FileSpool::read(std::string_view name, size_t max_records,
                           std::chrono::milliseconds wait) {
    SpoolBatch batch;
    Cursor* cursor = find_cursor(name);
    if (cursor == nullptr) return batch;
    std::vector<ReadRange> ranges;
    {
        Lock lock(mu_);
        batch.next = cursor->position;
        if (max_records == 0) return batch;
        const uint64_t generation = wake_generation_;
        data_cv_.wait_for(lock, wait, [&] {
            return stopping_ || wake_generation_ != generation ||
                   locate(cursor->position).first < segments_.size();
        });
        batch.next = cursor->position;
        ranges = plan_read(cursor->position, max_records);
    }
    // The disk reads run without the mutex: appends go on meanwhile.
    std::string buffer;
    for (const ReadRange& range : ranges) {
        if (!fetch(range, buffer, batch)) break;
    }
    return batch;
}

// Reads one range into `batch`; false after a read error (the batch ends there).
bool FileSpool::fetch(const ReadRange& range, std::string& buffer, SpoolBatch& batch) {
    const uint64_t base = range.bounds.front();
    buffer.resize(range.bounds.back() - base);
    if (const int err = range.file->read_at(base, buffer.data(), buffer.size())) {
        const std::lock_guard lock(mu_);
        set_error("alert spool: cannot read " + range.file->path() + ": " + std::strerror(err));
        return false;
    }
    batch.records.reserve(batch.records.size() + range.bounds.size() - 1);
    for (size_t i = 0; i + 1 < range.bounds.size(); ++i) {
        const char* at = buffer.data() + (range.bounds[i] - base);
        const uint64_t size = range.bounds[i + 1] - range.bounds[i];
        const RecordHeader header = decode_record_header(at);
        const std::string_view data(at + kRecordHeaderBytes, size - kRecordHeaderBytes);
        if (size == kRecordHeaderBytes + header.length && record_intact(header, data)) {
            batch.records.push_back(SpoolRecord{std::string(data), header.unix_ms});
        } else {
            // Damaged on disk since it was checked: skipped (and logged) rather than
            // blocking the cursor forever.
            const std::lock_guard lock(mu_);
            set_error("alert spool: a record of " + range.file->path() + " at offset " +
                      std::to_string(range.bounds[i]) + " no longer checks; skipped");
        }
        batch.next = SpoolPosition{range.file->number(), range.bounds[i + 1]};
    }
    return true;
}

void FileSpool::commit(std::string_view name, SpoolPosition next) {
    Cursor* cursor = find_cursor(name);
    if (cursor == nullptr) return;
    const std::lock_guard io(cursor->io);
    {
        const std::lock_guard lock(mu_);
        next = past_sealed_end(clamp_to_durable(next));
        // Compared with `saved`, not `position`: a commit whose file write failed is
        // written again by the next one.
        if (next <= cursor->saved) return;
        cursor->position = std::max(cursor->position, next);
    }
    const int err = write_cursor_file(dir_fd_, cursor->name, next);
    std::vector<std::string> doomed;
    {
        const std::lock_guard lock(mu_);
        if (err != 0) {
            set_error("alert spool: cannot save cursor '" + cursor->name +
                      "': " + std::strerror(err));
            return;
        }
        cursor->saved = next;
        doomed = drop_passed_segments();
    }
    // Unlinked without the mutex; a reader still holding a segment keeps its descriptor.
    // Not synced: a deletion lost in a crash is redone at the next open.
    for (const std::string& path : doomed) ::unlink(path.c_str());
}

// The end of a segment no longer written is the start of the next one. Saved that way, a
// cursor always names a segment that exists: drop_passed_segments keeps the segment a
// cursor names, so a cursor naming a missing segment at open means alerts were lost.
SpoolPosition FileSpool::past_sealed_end(SpoolPosition position) const {
    const size_t i = segment_index(position.segment);
    if (i + 1 < segments_.size() && segments_[i].number == position.segment &&
        position.offset >= segments_[i].size) {
        return SpoolPosition{segments_[i + 1].number, kSegmentHeaderBytes};
    }
    return position;
}

// Removes (from memory; the caller unlinks) the oldest segments every saved cursor has
// moved beyond (into a later segment), never the newest (it takes appends) nor one with
// unsynced bytes.
std::vector<std::string> FileSpool::drop_passed_segments() {
    std::vector<std::string> doomed;
    if (cursors_.empty()) return doomed;
    SpoolPosition low = cursors_.begin()->second->saved;
    for (const auto& [name, cursor] : cursors_) low = std::min(low, cursor->saved);
    while (segments_.size() > 1) {
        const Segment& segment = segments_.front();
        const bool passed = segment.number < low.segment;
        if (!passed || segment.size != segment.durable_size) break;
        doomed.push_back(segment.file->path());
        bytes_ -= segment.size;
        segments_.pop_front();
        full_ = false;
    }
    return doomed;
}

// `head` gets the first pending record's header, read afterwards without the mutex.
CursorStats FileSpool::pending(const Cursor& cursor, ReadRange& head) const {
    CursorStats stats;
    stats.name = cursor.name;
    auto [i, r] = locate(cursor.position);
    for (; i < segments_.size(); ++i, r = 0) {
        const Segment& segment = segments_[i];
        if (r >= segment.durable_count) continue;
        if (!head.file) {
            head = ReadRange{segment.file, {segment.offsets[r]}};
        }
        stats.pending_records += segment.durable_count - r;
        stats.pending_bytes += segment.durable_size - segment.offsets[r];
    }
    return stats;
}

std::vector<CursorStats> FileSpool::cursor_stats() const {
    std::vector<CursorStats> out;
    std::vector<ReadRange> heads(cursors_.size());
    {
        const std::lock_guard lock(mu_);
        size_t i = 0;
        for (const auto& [name, cursor] : cursors_) out.push_back(pending(*cursor, heads[i++]));
    }
    const auto now = static_cast<uint64_t>(unix_now_ms());
    for (size_t i = 0; i < out.size(); ++i) {
        if (!heads[i].file) continue;
        char header[kRecordHeaderBytes];
        if (heads[i].file->read_at(heads[i].bounds.front(), header, sizeof header) != 0) continue;
        const uint64_t appended = decode_record_header(header).unix_ms;
        if (now > appended) out[i].oldest_pending_age_seconds = double(now - appended) / 1000.0;
    }
    return out;
}

}  // namespace vigie::spool
