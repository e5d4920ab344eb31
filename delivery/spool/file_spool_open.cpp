// SPDX-License-Identifier: EUPL-1.2
// FileSpool: start-up. The directory is locked, every segment is scanned (so that sizes
// and pending counts are exact after a restart) and cut at its first damaged record, and
// the configured cursors are placed; everything unexpected is reported as a note.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "delivery/spool/file_spool.hpp"
#include "delivery/spool/spool_cursor.hpp"

namespace vigie::spool {
namespace {

[[noreturn]] void fail(const std::string& what, int error) {
    throw std::runtime_error("alert spool: " + what + ": " + std::strerror(error));
}

std::vector<std::string> file_names(const std::string& directory) {
    std::vector<std::string> names;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(directory, ec), end; !ec && it != end;
         it.increment(ec)) {
        names.push_back(it->path().filename().string());
    }
    if (ec) throw std::runtime_error("alert spool: cannot list " + directory + ": " + ec.message());
    return names;
}

}  // namespace

class FileSpool::Notes {
  public:
    explicit Notes(std::vector<std::string>* out) : out_(out) {}
    void add(std::string note) {
        if (out_ != nullptr) out_->push_back("alert spool: " + std::move(note));
    }

  private:
    std::vector<std::string>* out_;
};

std::unique_ptr<FileSpool> FileSpool::open(const SpoolSettings& settings,
                                           const std::vector<std::string>& cursor_names,
                                           std::vector<std::string>* recovery_notes) {
    std::unique_ptr<FileSpool> spool(new FileSpool(settings));
    Notes notes(recovery_notes);
    spool->open_directory();
    const auto saved = spool->load_cursor_files(cursor_names, notes);
    spool->load_segments(notes);
    if (saved.empty()) {
        spool->drop_all_segments(notes);
        spool->discard_ = true;
        return spool;
    }
    // A fresh segment never takes a number a cursor file already names.
    for (const auto& [name, position] : saved) {
        if (position) spool->next_number_ = std::max(spool->next_number_, position->segment + 1);
    }
    if (spool->segments_.empty()) {
        if (const int err = spool->create_segment()) fail("cannot create a segment", err);
        Segment& first = spool->segments_.back();
        if (const int err = first.file->datasync()) fail("cannot sync " + first.file->path(), err);
        if (const int err = sync_directory(spool->dir_fd_)) fail("cannot sync the directory", err);
        first.durable_size = first.size;
        spool->dir_dirty_ = false;
    }
    spool->place_cursors(saved, notes);
    for (const std::string& path : spool->drop_passed_segments()) ::unlink(path.c_str());
    return spool;
}

void FileSpool::open_directory() {
    const std::string& directory = settings_.directory;
    std::error_code ec;
    std::filesystem::create_directories(directory, ec);
    if (ec)
        throw std::runtime_error("alert spool: cannot create " + directory + ": " + ec.message());
    dir_fd_ = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd_ < 0) fail("cannot open " + directory, errno);
    lock_fd_ = ::openat(dir_fd_, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (lock_fd_ < 0) fail("cannot create " + directory + "/lock", errno);
    // Two processes appending to one spool would interleave records: the second refuses.
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
        fail(directory + " is in use by another process", errno);
    }
}

std::map<std::string, std::optional<SpoolPosition>> FileSpool::load_cursor_files(
    const std::vector<std::string>& names, Notes& notes) {
    std::map<std::string, std::optional<SpoolPosition>> saved;
    for (const std::string& name : names) saved.emplace(name, std::nullopt);
    for (const std::string& file : file_names(settings_.directory)) {
        if (file.ends_with(std::string(kCursorSuffix) + ".tmp")) {
            ::unlinkat(dir_fd_, file.c_str(), 0);  // a commit cut short: the old file holds
            continue;
        }
        const std::optional<std::string> name = parse_cursor_file_name(file);
        if (!name) continue;
        const auto it = saved.find(*name);
        if (it == saved.end()) {
            ::unlinkat(dir_fd_, file.c_str(), 0);
            notes.add("cursor '" + *name + "' is no longer configured: dropped");
            continue;
        }
        const std::optional<std::string> text = read_cursor_file(dir_fd_, *name);
        if (text) it->second = parse_cursor(*text);
        if (!it->second) {
            notes.add("cursor '" + *name +
                      "': unreadable cursor file; it starts again at the oldest retained record");
        }
    }
    return saved;
}

void FileSpool::load_segments(Notes& notes) {
    std::vector<uint64_t> numbers;
    for (const std::string& file : file_names(settings_.directory)) {
        if (const auto number = parse_segment_file_name(file)) numbers.push_back(*number);
    }
    std::sort(numbers.begin(), numbers.end());
    // Segments are numbered in sequence and only ever deleted oldest first (an empty one
    // included: recovery keeps a segment it emptied), so a hole in the numbers is a
    // segment removed from outside: its alerts are lost, and that is said.
    for (size_t i = 1; i < numbers.size(); ++i) {
        if (numbers[i] == numbers[i - 1] + 1) continue;
        const std::string first = segment_file_name(numbers[i - 1] + 1);
        notes.add(numbers[i] == numbers[i - 1] + 2
                      ? "segment " + first + " is missing: the alerts it held are lost"
                      : "segments " + first + " to " + segment_file_name(numbers[i] - 1) +
                            " are missing: the alerts they held are lost");
    }
    for (const uint64_t number : numbers) load_segment(number, notes);
}

void FileSpool::load_segment(uint64_t number, Notes& notes) {
    const std::string name = segment_file_name(number);
    const std::string path = settings_.directory + "/" + name;
    const int fd = ::openat(dir_fd_, name.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) fail("cannot open " + path, errno);
    auto file = std::make_shared<SegmentFile>(fd, path, number);
    uint64_t size = 0;
    if (const int err = file->size(size)) fail("cannot stat " + path, err);
    SegmentScan scan = scan_segment(*file, size);
    if (scan.read_error != 0) fail("cannot read " + path, scan.read_error);
    if (!scan.header_ok) {
        // Not ours, or created just before a crash: rewritten as an empty segment.
        if (size > 0) {
            notes.add(name + ": no segment header; its " + std::to_string(size) +
                      " bytes were dropped");
        }
        int err = file->truncate(0);
        if (err == 0) err = file->write_at(0, kSegmentMagic);
        scan.valid_end = kSegmentHeaderBytes;
        if (err != 0) fail("cannot repair " + path, err);
    } else if (scan.valid_end < size) {
        notes.add(name + ": " + scan.problem + " at offset " + std::to_string(scan.valid_end) +
                  "; cut off there (" + std::to_string(size - scan.valid_end) +
                  " bytes, the records before it are intact)");
        if (const int err = file->truncate(scan.valid_end)) fail("cannot truncate " + path, err);
    }
    if (scan.valid_end != size) {
        if (const int err = file->datasync()) fail("cannot sync " + path, err);
    }
    const size_t count = scan.offsets.size();
    segments_.push_back(Segment{number, std::move(file), std::move(scan.offsets), scan.valid_end,
                                scan.valid_end, count});
    bytes_ += scan.valid_end;
    next_number_ = std::max(next_number_, number + 1);
}

void FileSpool::drop_all_segments(Notes& notes) {
    size_t records = 0;
    for (const Segment& segment : segments_) {
        records += segment.offsets.size();
        ::unlink(segment.file->path().c_str());
    }
    if (records > 0) {
        notes.add("no forwarding output (cursor) is configured: the " + std::to_string(records) +
                  " spooled records were dropped, and none are kept");
    }
    segments_.clear();
    bytes_ = 0;
}

void FileSpool::place_cursors(const std::map<std::string, std::optional<SpoolPosition>>& saved,
                              Notes& notes) {
    for (const auto& [name, position] : saved) {
        auto cursor = std::make_unique<Cursor>();
        cursor->name = name;
        const SpoolPosition placed = past_sealed_end(place_cursor(name, position, notes));
        cursor->position = placed;
        cursor->saved = placed;
        if (!position || *position != placed) {
            if (const int err = write_cursor_file(dir_fd_, name, placed)) {
                fail("cannot write cursor '" + name + "'", err);
            }
        }
        cursors_.emplace(name, std::move(cursor));
    }
}

SpoolPosition FileSpool::place_cursor(const std::string& name, std::optional<SpoolPosition> saved,
                                      Notes& notes) const {
    const SpoolPosition oldest{segments_.front().number, kSegmentHeaderBytes};
    const SpoolPosition end{segments_.back().number, segments_.back().size};
    if (!saved) {
        notes.add("cursor '" + name + "' is new: it starts at the oldest retained record");
        return oldest;
    }
    if (*saved < oldest) {
        // A saved cursor names a segment that exists (FileSpool::past_sealed_end): this
        // one, and any between, were removed before the cursor had passed them.
        notes.add("cursor '" + name + "' pointed into segment " +
                  segment_file_name(saved->segment) + ", which is gone" +
                  (saved->segment + 1 < oldest.segment
                       ? " with the segments up to " + segment_file_name(oldest.segment - 1)
                       : std::string()) +
                  ": the alerts it had not forwarded there are lost; it starts at the oldest "
                  "retained record");
        return oldest;
    }
    if (*saved > end) {
        notes.add("cursor '" + name +
                  "' was past the end of the spool (records lost from disk): moved to the end");
        return end;
    }
    const size_t i = segment_index(saved->segment);
    if (i == segments_.size()) return *saved;
    if (segments_[i].number != saved->segment) {
        notes.add("cursor '" + name + "' pointed into the missing segment " +
                  segment_file_name(saved->segment) + ": moved to the next segment");
        return SpoolPosition{segments_[i].number, kSegmentHeaderBytes};
    }
    const Segment& segment = segments_[i];
    if (saved->offset <= kSegmentHeaderBytes || saved->offset == segment.size ||
        std::binary_search(segment.offsets.begin(), segment.offsets.end(), saved->offset)) {
        return *saved;
    }
    notes.add("cursor '" + name + "' pointed inside a record: moved to the next record");
    const auto next =
        std::lower_bound(segment.offsets.begin(), segment.offsets.end(), saved->offset);
    return SpoolPosition{segment.number, next == segment.offsets.end() ? segment.size : *next};
}

}  // namespace vigie::spool
