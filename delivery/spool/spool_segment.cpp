// SPDX-License-Identifier: EUPL-1.2
#include "delivery/spool/spool_segment.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>

namespace vigie::spool {
namespace {

void put_u32(char* p, uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xFFU);
}

void put_u64(char* p, uint64_t v) {
    for (int i = 0; i < 8; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xFFU);
}

uint64_t get_le(const char* p, int bytes) {
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
}

// The CRC of the header's last 12 bytes (length and time) followed by the data.
uint32_t record_crc(const char* length_and_time, std::string_view data) {
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(length_and_time), 12);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size()));
    return static_cast<uint32_t>(crc);
}

// Reads the segment through a window of at least kChunk bytes, so that scanning small
// records costs one pread per MiB rather than two per record.
class WindowReader {
  public:
    WindowReader(const SegmentFile& file, uint64_t file_size) : file_(file), size_(file_size) {}
    // The `n` bytes at `offset` (the caller checked they are inside the file), or nullptr
    // after a read error (in error()).
    const char* at(uint64_t offset, uint64_t n) {
        if (offset < start_ || offset + n > start_ + buffer_.size()) {
            const uint64_t want = std::min<uint64_t>(std::max<uint64_t>(n, kChunk), size_ - offset);
            buffer_.resize(want);
            start_ = offset;
            error_ = file_.read_at(offset, buffer_.data(), want);
            if (error_ != 0) {
                buffer_.clear();
                return nullptr;
            }
        }
        return buffer_.data() + (offset - start_);
    }
    [[nodiscard]] int error() const { return error_; }

  private:
    static constexpr uint64_t kChunk = 1 << 20;
    const SegmentFile& file_;
    uint64_t size_;
    uint64_t start_ = 0;
    std::string buffer_;
    int error_ = 0;
};

}  // namespace

void encode_record(std::string& out, std::string_view data, uint64_t unix_ms) {
    const size_t at = out.size();
    out.resize(at + kRecordHeaderBytes);
    out.append(data);
    char* header = out.data() + at;
    put_u32(header + 4, static_cast<uint32_t>(data.size()));
    put_u64(header + 8, unix_ms);
    put_u32(header, record_crc(header + 4, data));
}

RecordHeader decode_record_header(const char* bytes) {
    return RecordHeader{static_cast<uint32_t>(get_le(bytes, 4)),
                        static_cast<uint32_t>(get_le(bytes + 4, 4)), get_le(bytes + 8, 8)};
}

bool record_intact(const RecordHeader& header, std::string_view data) {
    if (data.size() != header.length) return false;
    char length_and_time[12];
    put_u32(length_and_time, header.length);
    put_u64(length_and_time + 4, header.unix_ms);
    return record_crc(length_and_time, data) == header.crc;
}

std::string segment_file_name(uint64_t number) {
    char name[32];
    std::snprintf(name, sizeof name, "%020llu.seg", static_cast<unsigned long long>(number));
    return name;
}

std::optional<uint64_t> parse_segment_file_name(std::string_view name) {
    if (name.size() != 24 || !name.ends_with(".seg")) return std::nullopt;
    uint64_t number = 0;
    const char* end = name.data() + 20;
    auto [ptr, ec] = std::from_chars(name.data(), end, number);
    if (ec != std::errc() || ptr != end || number == 0) return std::nullopt;
    return number;
}

SegmentFile::SegmentFile(int fd, std::string path, uint64_t number)
    : fd_(fd), path_(std::move(path)), number_(number) {}

SegmentFile::~SegmentFile() {
    if (fd_ >= 0) ::close(fd_);
}

int SegmentFile::write_at(uint64_t offset, std::string_view bytes) const {
    while (!bytes.empty()) {
        const ssize_t n = ::pwrite(fd_, bytes.data(), bytes.size(), static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return n < 0 ? errno : ENOSPC;
        bytes.remove_prefix(static_cast<size_t>(n));
        offset += static_cast<uint64_t>(n);
    }
    return 0;
}

int SegmentFile::read_at(uint64_t offset, char* out, size_t size) const {
    while (size > 0) {
        const ssize_t n = ::pread(fd_, out, size, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return n < 0 ? errno : EIO;
        out += n;
        size -= static_cast<size_t>(n);
        offset += static_cast<uint64_t>(n);
    }
    return 0;
}

int SegmentFile::datasync() const {
    return ::fdatasync(fd_) == 0 ? 0 : errno;
}

int SegmentFile::truncate(uint64_t size) const {
    return ::ftruncate(fd_, static_cast<off_t>(size)) == 0 ? 0 : errno;
}

int SegmentFile::size(uint64_t& out) const {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return errno;
    out = static_cast<uint64_t>(st.st_size);
    return 0;
}

SegmentScan scan_segment(const SegmentFile& file, uint64_t file_size) {
    SegmentScan scan;
    WindowReader reader(file, file_size);
    if (file_size < kSegmentHeaderBytes) return scan;
    const char* magic = reader.at(0, kSegmentHeaderBytes);
    if (magic == nullptr) {
        scan.read_error = reader.error();
        return scan;
    }
    scan.header_ok = std::string_view(magic, kSegmentHeaderBytes) == kSegmentMagic;
    if (!scan.header_ok) return scan;
    uint64_t offset = kSegmentHeaderBytes;
    while (offset < file_size) {
        if (file_size - offset < kRecordHeaderBytes) {
            scan.problem = "a torn record header";
            break;
        }
        const char* p = reader.at(offset, kRecordHeaderBytes);
        if (p == nullptr) break;
        const RecordHeader header = decode_record_header(p);
        if (header.length > kMaxRecordBytes ||
            header.length > file_size - offset - kRecordHeaderBytes) {
            scan.problem = "a record longer than what follows it (torn write)";
            break;
        }
        p = reader.at(offset, kRecordHeaderBytes + header.length);
        if (p == nullptr) break;
        if (!record_intact(header, std::string_view(p + kRecordHeaderBytes, header.length))) {
            scan.problem = "a record whose checksum does not match";
            break;
        }
        scan.offsets.push_back(offset);
        offset += kRecordHeaderBytes + header.length;
    }
    scan.read_error = reader.error();
    scan.valid_end = offset;
    return scan;
}

}  // namespace vigie::spool
