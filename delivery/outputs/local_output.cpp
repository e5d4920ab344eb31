// SPDX-License-Identifier: EUPL-1.2
#include "delivery/outputs/local_output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace vigie {

LocalOutput::LocalOutput(const OutputSettings& settings)
    : name_(settings.name),
      filter_(settings.filter),
      is_file_(settings.type == OutputType::File && settings.file.path != "-"),
      file_(settings.file),
      counters_(settings.name, settings.type) {
    if (settings.type != OutputType::Stdout && settings.type != OutputType::File)
        throw std::invalid_argument("output " + name_ + " is not a local output");
    if (!is_file_) {
        fd_ = STDOUT_FILENO;
        return;
    }
    if (Status opened = open_file(); !opened) throw std::runtime_error(opened.error().message);
}

LocalOutput::~LocalOutput() {
    if (is_file_ && fd_ >= 0) ::close(fd_);
}

Error LocalOutput::describe(std::string_view what) const {
    return Error{"output " + name_ + " (" + (is_file_ ? file_.path : std::string("stdout")) +
                 "): " + std::string(what) + ": " + std::strerror(errno)};
}

Status LocalOutput::open_file() {
    fd_ = ::open(file_.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd_ < 0) return describe("cannot open");
    struct stat st {};
    size_ = ::fstat(fd_, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
    return {};
}

Status LocalOutput::write_chunk(std::string_view bytes) {
    const uint64_t before = size_;
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            if (n == 0) errno = EIO;
            Error error = describe("write");
            // Cut the partial chunk off so that the alerts written again after the retry
            // start on a line of their own.
            if (is_file_ && ::ftruncate(fd_, static_cast<off_t>(before)) == 0) size_ = before;
            return error;
        }
        size_ += static_cast<uint64_t>(n);
        bytes.remove_prefix(static_cast<size_t>(n));
    }
    return {};
}

Status LocalOutput::sync() {
    if (!is_file_) return {};
    if (::fsync(fd_) != 0) return describe("fsync");
    ++fsyncs_;
    return {};
}

// path.(k) -> path.(k+1) from the oldest kept down, then path -> path.1; rename() replaces
// the oldest. With keep_files 0 the full file is simply removed.
Status LocalOutput::rotate() {
    ::close(fd_);
    fd_ = -1;
    const std::string& path = file_.path;
    Status renamed;  // the last rename that failed, if any
    if (file_.keep_files == 0) {
        if (::unlink(path.c_str()) != 0 && errno != ENOENT)
            renamed = describe("remove for rotation");
    } else {
        for (uint32_t k = file_.keep_files - 1; k >= 1; --k) {
            const std::string from = path + "." + std::to_string(k);
            const std::string to = path + "." + std::to_string(k + 1);
            if (::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT)
                renamed = describe("rotate " + from);
        }
        if (::rename(path.c_str(), (path + ".1").c_str()) != 0 && errno != ENOENT)
            renamed = describe("rotate");
    }
    ++rotations_;
    if (Status opened = open_file(); !opened) return opened;
    // A failed rename leaves the old file in place (appended to, over the size): the
    // alerts still go somewhere, and the error is reported once.
    return renamed;
}

// Every step's error ends the write: the lines after it are not written.
Status LocalOutput::write(std::string_view lines) {
    if (lines.empty()) return {};
    std::lock_guard lock(mutex_);
    if (fd_ < 0) {
        if (Status opened = open_file(); !opened) return opened;
    }
    const bool rotating = is_file_ && file_.rotate_bytes > 0;
    const bool each_line = is_file_ && file_.fsync == FsyncPolicy::Always;
    size_t start = 0;
    for (size_t pos = 0; pos < lines.size();) {
        size_t end = lines.find('\n', pos);
        end = end == std::string_view::npos ? lines.size() : end + 1;
        const uint64_t pending = size_ + (pos - start);
        if (rotating && pending > 0 && pending + (end - pos) > file_.rotate_bytes) {
            if (Status s = write_chunk(lines.substr(start, pos - start)); !s) return s;
            if (file_.fsync != FsyncPolicy::Never) {
                if (Status s = sync(); !s) return s;
            }
            if (Status s = rotate(); !s) return s;
            start = pos;
        }
        if (each_line) {
            if (Status s = write_chunk(lines.substr(start, end - start)); !s) return s;
            if (Status s = sync(); !s) return s;
            start = end;
        }
        pos = end;
    }
    if (start < lines.size()) {
        if (Status s = write_chunk(lines.substr(start)); !s) return s;
        if (file_.fsync == FsyncPolicy::Batch) return sync();
    }
    return {};
}

void LocalOutput::flush() {
    std::lock_guard lock(mutex_);
    if (fd_ >= 0) (void)sync();  // best effort: flush() has no caller to tell
}

uint64_t LocalOutput::fsync_count() const {
    std::lock_guard lock(mutex_);
    return fsyncs_;
}

uint64_t LocalOutput::rotations() const {
    std::lock_guard lock(mutex_);
    return rotations_;
}

}  // namespace vigie
