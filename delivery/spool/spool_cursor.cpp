// SPDX-License-Identifier: EUPL-1.2
#include "delivery/spool/spool_cursor.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>

#include "core/identifiers.hpp"

namespace vigie::spool {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Closes a descriptor on every path out of a function.
struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

int write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return n < 0 ? errno : ENOSPC;
        bytes.remove_prefix(static_cast<size_t>(n));
    }
    return 0;
}

}  // namespace

std::string cursor_file_name(std::string_view cursor) {
    std::string out;
    out.reserve(cursor.size() + kCursorSuffix.size());
    for (const char c : cursor) {
        if (is_name_char(c)) {
            out.push_back(c);
        } else {
            char escaped[4];
            std::snprintf(escaped, sizeof escaped, "%%%02X", static_cast<unsigned char>(c));
            out.append(escaped, 3);
        }
    }
    out.append(kCursorSuffix);
    return out;
}

std::optional<std::string> parse_cursor_file_name(std::string_view file_name) {
    if (!file_name.ends_with(kCursorSuffix)) return std::nullopt;  // ".cursor": the name ""
    file_name.remove_suffix(kCursorSuffix.size());
    std::string name;
    for (size_t i = 0; i < file_name.size(); ++i) {
        const char c = file_name[i];
        if (is_name_char(c)) {
            name.push_back(c);
            continue;
        }
        if (c != '%' || i + 2 >= file_name.size()) return std::nullopt;
        const int hi = hex_value(file_name[i + 1]);
        const int lo = hex_value(file_name[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        name.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
    }
    // Only the canonical spelling (what cursor_file_name writes) is a cursor file.
    if (cursor_file_name(name).size() != file_name.size() + kCursorSuffix.size()) {
        return std::nullopt;
    }
    return name;
}

std::string format_cursor(SpoolPosition position) {
    return std::to_string(position.segment) + ' ' + std::to_string(position.offset) + '\n';
}

std::optional<SpoolPosition> parse_cursor(std::string_view text) {
    SpoolPosition position;
    const char* p = text.data();
    const char* end = text.data() + text.size();
    auto number = [&](uint64_t& out, char terminator) {
        if (p == end || *p < '0' || *p > '9') return false;
        auto [next, ec] = std::from_chars(p, end, out);
        if (ec != std::errc() || next == end || *next != terminator) return false;
        p = next + 1;
        return true;
    };
    if (!number(position.segment, ' ') || !number(position.offset, '\n') || p != end) {
        return std::nullopt;
    }
    return position;
}

int write_cursor_file(int dir_fd, std::string_view cursor, SpoolPosition position) {
    const std::string name = cursor_file_name(cursor);
    const std::string temp = name + ".tmp";
    {
        const Fd fd{::openat(dir_fd, temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)};
        if (fd.fd < 0) return errno;
        if (const int err = write_all(fd.fd, format_cursor(position))) return err;
        if (::fdatasync(fd.fd) != 0) return errno;
    }
    if (::renameat(dir_fd, temp.c_str(), dir_fd, name.c_str()) != 0) return errno;
    return sync_directory(dir_fd);
}

std::optional<std::string> read_cursor_file(int dir_fd, std::string_view cursor) {
    const Fd fd{::openat(dir_fd, cursor_file_name(cursor).c_str(), O_RDONLY | O_CLOEXEC)};
    if (fd.fd < 0) return std::nullopt;
    // Two 20-digit numbers, a space and a newline: anything longer is not a cursor file,
    // and the extra byte read makes it fail to parse.
    char buffer[64];
    size_t used = 0;
    while (used < sizeof buffer) {
        const ssize_t n = ::read(fd.fd, buffer + used, sizeof buffer - used);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return std::nullopt;
        if (n == 0) break;
        used += static_cast<size_t>(n);
    }
    return std::string(buffer, used);
}

int sync_directory(int dir_fd) {
    return ::fsync(dir_fd) == 0 ? 0 : errno;
}

}  // namespace vigie::spool
