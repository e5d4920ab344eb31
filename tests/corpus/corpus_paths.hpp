// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Where the SigmaHQ snapshot is: $VIGIE_SIGMA_DIR, else the path configured at build
// time (../shared/sigma beside the project). Tests that need it exit with 77 (ctest's
// "skipped") and say so when it is absent.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace vigie::test {

inline constexpr int kSkipped = 77;

inline std::string sigma_dir() {
    if (const char* env = std::getenv("VIGIE_SIGMA_DIR"); env != nullptr && *env != '\0')
        return env;
    return VIGIE_SIGMA_DIR_DEFAULT;
}

// rules*/ folders of the snapshot, sorted; empty (with a notice) when there are none.
inline std::vector<std::string> sigma_rule_dirs() {
    namespace fs = std::filesystem;
    std::vector<std::string> dirs;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(sigma_dir(), ec)) {
        if (e.is_directory() && e.path().filename().string().starts_with("rules"))
            dirs.push_back(e.path().string());
    }
    std::sort(dirs.begin(), dirs.end());
    if (dirs.empty()) {
        std::printf("SKIPPED: no SigmaHQ snapshot at %s (set VIGIE_SIGMA_DIR)\n",
                    sigma_dir().c_str());
    }
    return dirs;
}

}  // namespace vigie::test
