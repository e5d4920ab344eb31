// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Helpers of the spool tests: a temporary directory, settings, one-record appends.
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "delivery/spool/alert_spool.hpp"

namespace vigie::spool_test {

// A fresh directory under /tmp, removed with everything in it.
class TempDir {
  public:
    TempDir() {
        std::string pattern = "/tmp/vigie-spool-test-XXXXXX";
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::string& path() const { return path_; }
    [[nodiscard]] std::string spool() const { return path_ + "/spool"; }

  private:
    std::string path_;
};

inline SpoolSettings settings_for(const TempDir& dir, uint64_t max_bytes = 1 << 20,
                                  uint64_t segment_bytes = 64 << 10, uint32_t fsync_ms = 0) {
    SpoolSettings settings;
    settings.directory = dir.spool();
    settings.max_bytes = max_bytes;
    settings.segment_bytes = segment_bytes;
    settings.fsync_interval_ms = fsync_ms;
    return settings;
}

inline AppendStatus append_one(AlertSpool& spool, std::string_view record) {
    const std::string_view records[] = {record};
    return spool.append(records);
}

inline std::vector<std::string> texts(const SpoolBatch& batch) {
    std::vector<std::string> out;
    for (const auto& record : batch.records) out.push_back(record.data);
    return out;
}

// The segment files of the spool, sorted.
inline std::vector<std::filesystem::path> segment_files(const TempDir& dir) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir.spool())) {
        if (entry.path().extension() == ".seg") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

inline bool any_note_contains(const std::vector<std::string>& notes, std::string_view text) {
    return std::any_of(notes.begin(), notes.end(), [&](const std::string& note) {
        return note.find(text) != std::string::npos;
    });
}

}  // namespace vigie::spool_test
