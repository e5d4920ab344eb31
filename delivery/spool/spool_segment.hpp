// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The on-disk format of a spool segment, and the reader that checks it at start-up.
//
// A segment is a file named <20-digit number>.seg: an 8-byte magic, then records, each
//   [crc32 u32][length u32][append time, unix ms, u64][length bytes of data]
// little-endian. The CRC (zlib's crc32) covers everything after itself: the length, the
// time and the data, so a torn write (kill -9, power loss) or a flipped byte anywhere in a
// record is detected, and the reader stops at the first record that does not check.
// Records are never rewritten in place: a segment only grows, is cut back to its last
// intact record at recovery, and is deleted whole once every cursor has passed it.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigie::spool {

// The format's version is part of the magic: another layout gets another magic.
inline constexpr std::string_view kSegmentMagic{"VIGSPL1\n", 8};
inline constexpr uint64_t kSegmentHeaderBytes = 8;
inline constexpr uint64_t kRecordHeaderBytes = 16;
// An alert is a JSON line of a few KiB; the bound keeps a corrupt length from asking the
// reader for gigabytes, and append() refuses anything larger.
inline constexpr uint32_t kMaxRecordBytes = 256U << 20;

struct RecordHeader {
    uint32_t crc = 0;
    uint32_t length = 0;
    uint64_t unix_ms = 0;
};

// Appends one framed record to `out` (which the caller reuses: no allocation once grown).
void encode_record(std::string& out, std::string_view data, uint64_t unix_ms);
// `bytes` holds at least kRecordHeaderBytes.
RecordHeader decode_record_header(const char* bytes);
// True when `data` (the record's length bytes) matches the header's CRC.
bool record_intact(const RecordHeader& header, std::string_view data);

std::string segment_file_name(uint64_t number);
// The number of a segment file name, nullopt for any other name.
std::optional<uint64_t> parse_segment_file_name(std::string_view name);

// An open segment file. Shared (shared_ptr) between the spool and readers doing pread, so
// that deleting a segment never closes a descriptor a reader is using. Every call returns
// 0 or an errno value: disk errors are values.
class SegmentFile {
  public:
    SegmentFile(int fd, std::string path, uint64_t number);
    ~SegmentFile();
    SegmentFile(const SegmentFile&) = delete;
    SegmentFile& operator=(const SegmentFile&) = delete;

    [[nodiscard]] const std::string& path() const { return path_; }
    [[nodiscard]] uint64_t number() const { return number_; }
    [[nodiscard]] int write_at(uint64_t offset, std::string_view bytes) const;
    // A short read (the file ended) is EIO: callers only read what they know is there.
    [[nodiscard]] int read_at(uint64_t offset, char* out, size_t size) const;
    [[nodiscard]] int datasync() const;
    [[nodiscard]] int truncate(uint64_t size) const;
    [[nodiscard]] int size(uint64_t& out) const;

  private:
    int fd_;
    std::string path_;
    uint64_t number_;
};

struct SegmentScan {
    bool header_ok = false;
    std::vector<uint64_t> offsets;  // where every intact record starts
    uint64_t valid_end = 0;         // after the last intact record (== the size when clean)
    std::string problem;            // why the scan stopped before the end; empty when clean
    int read_error = 0;             // errno when the file could not be read
};

// Reads the segment from its header to `file_size`, checking every record. Never trusts a
// length: it must fit in the file and under kMaxRecordBytes before anything is read.
SegmentScan scan_segment(const SegmentFile& file, uint64_t file_size);

}  // namespace vigie::spool
