// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The indicators vigie knows, in an SQLite file: every version of every indicator as
// received (JSON), and the newest version's properties in a table of their own for
// loading, expiry and eviction. Bounded: past `max_indicators`, revoked and expired
// indicators go first, then the least recently added. Also keeps small key/value state
// (a TAXII client's position per peer). One connection behind a mutex: writes are
// batched by the callers (one transaction per bundle or poll page).
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "core/sqlite.hpp"
#include "federation/stix/indicator.hpp"

namespace vigie {

enum class PutOutcome : uint8_t {
    Added,    // a new indicator
    Updated,  // a newer version of a known one
    Stale     // this version, or a newer one, is already known: nothing changes
};

struct PutResult {
    std::vector<PutOutcome> outcomes;  // one per indicator given
    std::vector<std::string> evicted;  // ids dropped to stay within the bound
};

// Where an indicator came from and how it is marked.
struct IndicatorOrigin {
    std::string source;
    stix::Tlp tlp = stix::Tlp::Amber;
};

// An indicator's sightings here, summed.
struct SightingTotal {
    int64_t first_seen_ms = 0;
    int64_t last_seen_ms = 0;
    uint64_t count = 0;
};

class IndicatorStore {
  public:
    // Opens (creating if needed) the store; an error ("indicator store PATH: why") when it
    // cannot. ":memory:" keeps it in memory (tests, `vigie scan --indicators`).
    static Result<std::unique_ptr<IndicatorStore>> open(const std::string& path,
                                                        size_t max_indicators);
    ~IndicatorStore() = default;
    IndicatorStore(const IndicatorStore&) = delete;
    IndicatorStore& operator=(const IndicatorStore&) = delete;

    // In one transaction. `now_us` is the time recorded as the indicators' arrival. On a
    // storage failure (disk full) an error, and nothing of this call is kept.
    Result<PutResult> put(std::span<const stix::Indicator> indicators, int64_t now_us);

    // The newest version of every indicator (json left empty, to keep memory flat).
    void for_each_current(const std::function<void(const stix::Indicator&)>& visit) const;
    // Every version of an indicator, oldest first, as received.
    [[nodiscard]] std::vector<std::string> versions(const std::string& id) const;
    // The newest version's JSON of every indicator added after `after_us`, in order, with
    // its TLP (its markings', or the default applied when it arrived).
    void for_each_json(int64_t after_us,
                       const std::function<void(const std::string& id, const std::string& json,
                                                stix::Tlp tlp)>& visit) const;

    [[nodiscard]] std::optional<IndicatorOrigin> origin(const std::string& id) const;
    // Adds sightings to an indicator's total and returns the new total.
    template <class Count>
    SightingTotal add_sighting(const std::string& id, const Count& c) {
        return add_sighting(id, c.first_seen_ms, c.last_seen_ms, c.count);
    }
    SightingTotal add_sighting(const std::string& id, int64_t first_ms, int64_t last_ms,
                               uint64_t count);

    [[nodiscard]] size_t count() const;
    [[nodiscard]] uint64_t evictions() const { return evictions_; }
    [[nodiscard]] size_t max_indicators() const { return max_; }

    [[nodiscard]] std::optional<std::string> state(const std::string& key) const;
    Status set_state(const std::string& key, const std::string& value);

  private:
    IndicatorStore(sqlite::Database db, sqlite::Statement newest, sqlite::Statement insert_version,
                   sqlite::Statement insert_current, size_t max_indicators)
        : db_(std::move(db)),
          newest_(std::move(newest)),
          insert_version_(std::move(insert_version)),
          insert_current_(std::move(insert_current)),
          max_(max_indicators) {}
    Result<PutOutcome> put_one(const stix::Indicator& ind, int64_t now_us);
    Status evict(size_t excess, int64_t now_us, std::vector<std::string>& evicted);

    // Declared first: destroyed after the statements prepared on it. Mutable: reading
    // prepares statements; the mutex serialises every use.
    mutable sqlite::Database db_;
    // put_one's statements, prepared once: a million-indicator import is a million of each.
    sqlite::Statement newest_;
    sqlite::Statement insert_version_;
    sqlite::Statement insert_current_;
    size_t max_;
    size_t count_ = 0;
    uint64_t evictions_ = 0;
    mutable std::mutex mutex_;
};

}  // namespace vigie
