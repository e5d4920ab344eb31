// SPDX-License-Identifier: EUPL-1.2
#pragma once
// For the input reader's tests: a file descriptor that reads a given text from its start.
#include <doctest/doctest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <string>

namespace vigie::test {

// An anonymous in-memory file (memfd) holding `text`, positioned at its start.
inline int memory_file(const std::string& text) {
    const int fd = memfd_create("t", MFD_CLOEXEC);
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    lseek(fd, 0, SEEK_SET);
    return fd;
}

}  // namespace vigie::test
