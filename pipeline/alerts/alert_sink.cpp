// SPDX-License-Identifier: EUPL-1.2
#include "pipeline/alerts/alert_sink.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace vigie {

// Called even without alerts, as the engine does for every batch: a sink may fail (or
// wait) on any write.
Status TextAlertSink::write(std::span<const AlertRecord> alerts) {
    thread_local std::string lines;  // a worker's, reused: no allocation per job once warm
    lines.clear();
    for (const AlertRecord& alert : alerts) lines.append(alert.text).push_back('\n');
    return write(std::string_view(lines));
}

FileAlertSink::FileAlertSink(const std::string& path, std::string_view header) : header_(header) {
    if (path == "-") {
        fd_ = STDOUT_FILENO;
        return;
    }
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd_ < 0)
        throw std::runtime_error("cannot open alert output " + path + ": " + std::strerror(errno));
    owns_fd_ = true;
}

FileAlertSink::~FileAlertSink() {
    if (owns_fd_) ::close(fd_);
}

Status FileAlertSink::write_all(std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::write(fd_, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
            return Error{std::string("alert output: ") +
                         (n < 0 ? std::strerror(errno) : "short write")};
        bytes_written_ += static_cast<uint64_t>(n);
        bytes.remove_prefix(static_cast<size_t>(n));
    }
    return {};
}

Status FileAlertSink::write(std::string_view alerts) {
    if (alerts.empty()) return {};
    std::lock_guard lock(mutex_);
    if (!header_written_ && !header_.empty()) {
        Status header = write_all(header_);
        if (!header) return header;
    }
    header_written_ = true;
    return write_all(alerts);
}

void FileAlertSink::flush() {
    std::lock_guard lock(mutex_);
    if (owns_fd_) ::fsync(fd_);
}

uint64_t FileAlertSink::bytes_written() const {
    std::lock_guard lock(mutex_);
    return bytes_written_;
}

}  // namespace vigie
