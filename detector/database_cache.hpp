// SPDX-License-Identifier: EUPL-1.2
#pragma once
// An on-disk cache of compiled Hyperscan databases (hs_serialize_database), so that a
// restart with unchanged rules skips the compilation. A file is named by a 128-bit hash
// of everything the database is compiled from (every pattern, its flags and id, the
// database kind and the Hyperscan version), so a cache cannot go stale: changed rules
// or mappings give other patterns, hence another name. A file that fails its checksum
// or that Hyperscan refuses is ignored and rewritten. Every load refreshes its file's
// modification time, and prune() removes the files no load has used for a month (the
// databases of rule sets that changed), so the directory does not grow for ever.
#include <hs/hs.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/diagnostic.hpp"

namespace vigie {

struct DatabaseKey {
    uint64_t high = 0;
    uint64_t low = 0;
    [[nodiscard]] std::string hex() const;
};

// What a multi-pattern compile call receives.
struct PatternList {
    bool literal = false;  // hs_compile_lit_multi rather than hs_compile_multi
    std::vector<const char*> expressions;
    std::vector<size_t> lengths;
    std::vector<unsigned> flags;
    std::vector<unsigned> ids;

    [[nodiscard]] DatabaseKey key() const;
};

class DatabaseCache {
  public:
    explicit DatabaseCache(std::string dir) : dir_(std::move(dir)) {}

    // The cached database for `key`, or nullptr (absent, corrupt, or from another
    // Hyperscan build).
    [[nodiscard]] hs_database_t* load(const DatabaseKey& key) const;
    // Writes atomically (a temporary file of its own, renamed), so concurrent writers of one
    // key all succeed; a failure is a warning.
    void store(const DatabaseKey& key, const hs_database_t* db, Diagnostics& diags) const;

    // Removes database files unused for longer than `max_age` and temporary files of
    // interrupted writes older than an hour. Returns how many files were removed.
    size_t prune(std::chrono::hours max_age = kMaxAge) const;
    static constexpr std::chrono::hours kMaxAge{24 * 30};

    [[nodiscard]] const std::string& dir() const { return dir_; }

  private:
    [[nodiscard]] std::string path(const DatabaseKey& key) const;

    std::string dir_;
    mutable std::atomic<bool> warned_{false};  // one warning for a directory that refuses writes
};

// $VIGIE_CACHE_DIR, else $XDG_CACHE_HOME/vigie, else $HOME/.cache/vigie; "" if none.
std::string default_cache_dir();

}  // namespace vigie
