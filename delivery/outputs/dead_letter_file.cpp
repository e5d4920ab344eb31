// SPDX-License-Identifier: EUPL-1.2
#include "delivery/outputs/dead_letter_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "core/clock.hpp"
#include "core/json_text.hpp"

namespace vigie {

DeadLetterFile::DeadLetterFile(const std::string& spool_directory, std::string output,
                               uint64_t max_bytes)
    : output_(std::move(output)), max_bytes_(max_bytes) {
    const std::filesystem::path dir = std::filesystem::path(spool_directory) / "dead-letters";
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
        throw std::runtime_error("cannot create the dead-letter directory " + dir.string() + ": " +
                                 ec.message());
    path_ = (dir / (output_ + ".jsonl")).string();
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd_ < 0)
        throw std::runtime_error("cannot open the dead-letter file " + path_ + ": " +
                                 std::strerror(errno));
    struct stat st {};
    if (::fstat(fd_, &st) == 0) bytes_ = static_cast<uint64_t>(st.st_size);
}

DeadLetterFile::~DeadLetterFile() {
    if (fd_ >= 0) ::close(fd_);
}

Status DeadLetterFile::write(const AlertRouting& routing, std::string_view alert,
                             std::string_view reason) {
    std::string line = R"({"time":)";
    append_json_number(line, static_cast<uint64_t>(unix_now_ms()));
    line += R"(,"output":)";
    append_json_string(line, output_);
    line += R"(,"uid":)";
    append_json_string(line, routing.uid);
    line += R"(,"reason":)";
    append_json_string(line, reason);
    line += R"(,"alert":)";
    line += alert;  // the formatted alert: JSON already
    line += "}\n";
    std::lock_guard lock(mutex_);
    if (bytes_ + line.size() > max_bytes_)
        return Error{"dead-letter file " + path_ + " is full (" + std::to_string(bytes_) + " of " +
                     std::to_string(max_bytes_) +
                     " bytes, spool.dead_letter_max_bytes): move it away"};
    for (size_t done = 0; done < line.size();) {
        const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return Error{"dead-letter file " + path_ + ": " + std::strerror(errno)};
        done += static_cast<size_t>(n);
        bytes_ += static_cast<uint64_t>(n);
    }
    if (::fsync(fd_) != 0)
        return Error{"dead-letter file " + path_ + ": fsync: " + std::strerror(errno)};
    return {};
}

}  // namespace vigie
