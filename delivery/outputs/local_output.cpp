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
    std::string error;
    if (!open_file(error)) throw std::runtime_error(error);
}

LocalOutput::~LocalOutput() {
    if (is_file_ && fd_ >= 0) ::close(fd_);
}

std::string LocalOutput::describe(std::string_view what) const {
    return "output " + name_ + " (" + (is_file_ ? file_.path : std::string("stdout")) +
           "): " + std::string(what) + ": " + std::strerror(errno);
}

bool LocalOutput::open_file(std::string& error) {
    fd_ = ::open(file_.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd_ < 0) {
        error = describe("cannot open");
        return false;
    }
    struct stat st {};
    size_ = ::fstat(fd_, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
    return true;
}

bool LocalOutput::write_chunk(std::string_view bytes, std::string& error) {
    const uint64_t before = size_;
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            if (n == 0) errno = EIO;
            error = describe("write");
            // Cut the partial chunk off so that the alerts written again after the retry
            // start on a line of their own.
            if (is_file_ && ::ftruncate(fd_, static_cast<off_t>(before)) == 0) size_ = before;
            return false;
        }
        size_ += static_cast<uint64_t>(n);
        bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
}

bool LocalOutput::sync(std::string& error) {
    if (!is_file_) return true;
    if (::fsync(fd_) != 0) {
        error = describe("fsync");
        return false;
    }
    ++fsyncs_;
    return true;
}

// path.(k) -> path.(k+1) from the oldest kept down, then path -> path.1; rename() replaces
// the oldest. With keep_files 0 the full file is simply removed.
bool LocalOutput::rotate(std::string& error) {
    ::close(fd_);
    fd_ = -1;
    const std::string& path = file_.path;
    if (file_.keep_files == 0) {
        if (::unlink(path.c_str()) != 0 && errno != ENOENT) error = describe("remove for rotation");
    } else {
        for (uint32_t k = file_.keep_files - 1; k >= 1; --k) {
            const std::string from = path + "." + std::to_string(k);
            const std::string to = path + "." + std::to_string(k + 1);
            if (::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT)
                error = describe("rotate " + from);
        }
        if (::rename(path.c_str(), (path + ".1").c_str()) != 0 && errno != ENOENT)
            error = describe("rotate");
    }
    ++rotations_;
    std::string open_error;
    if (!open_file(open_error)) {
        error = open_error;
        return false;
    }
    // A failed rename leaves the old file in place (appended to, over the size): the
    // alerts still go somewhere, and the error is reported once.
    return error.empty();
}

WriteOutcome LocalOutput::write(std::string_view lines) {
    WriteOutcome out;
    if (lines.empty()) return out;
    std::lock_guard lock(mutex_);
    if (fd_ < 0 && !open_file(out.error)) {
        out.ok = false;
        return out;
    }
    const bool rotating = is_file_ && file_.rotate_bytes > 0;
    const bool each_line = is_file_ && file_.fsync == FsyncPolicy::Always;
    size_t start = 0;
    for (size_t pos = 0; pos < lines.size();) {
        size_t end = lines.find('\n', pos);
        end = end == std::string_view::npos ? lines.size() : end + 1;
        const uint64_t pending = size_ + (pos - start);
        if (rotating && pending > 0 && pending + (end - pos) > file_.rotate_bytes) {
            if (!write_chunk(lines.substr(start, pos - start), out.error)) break;
            if (file_.fsync != FsyncPolicy::Never && !sync(out.error)) break;
            if (!rotate(out.error)) break;
            start = pos;
        }
        if (each_line) {
            if (!write_chunk(lines.substr(start, end - start), out.error) || !sync(out.error))
                break;
            start = end;
        }
        pos = end;
    }
    if (out.error.empty() && start < lines.size()) {
        if (write_chunk(lines.substr(start), out.error) && file_.fsync == FsyncPolicy::Batch)
            sync(out.error);
    }
    out.ok = out.error.empty();
    return out;
}

void LocalOutput::flush() {
    std::lock_guard lock(mutex_);
    std::string ignored;
    if (fd_ >= 0) sync(ignored);
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
