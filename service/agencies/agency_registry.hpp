// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Who may send events: each agency's token digest and rate limit, from the
// configuration. A bearer token is identified by its SHA-256, compared in constant time,
// so neither the configuration nor the timing of a refusal reveals a token. Rate limits
// are token buckets counted in events; buckets survive a reload (a reload does not
// refill an agency that is over its limit).
#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "service/agencies/agency.hpp"

namespace vigie {

// A token bucket: `rate` tokens a second up to `burst`.
class TokenBucket {
  public:
    using Clock = std::chrono::steady_clock;
    TokenBucket(RateLimit limit, Clock::time_point now)
        : limit_(limit), tokens_(limit.burst), last_(now) {}
    // Takes `n` tokens if there are that many; otherwise takes none and returns how long
    // to wait until there will be (what Retry-After says).
    std::optional<Clock::duration> take(double n, Clock::time_point now);
    void give_back(double n) { tokens_ = std::min(limit_.burst, tokens_ + n); }
    void set_limit(RateLimit limit) {
        limit_ = limit;
        tokens_ = std::min(tokens_, limit.burst);  // a lowered burst applies at once
    }

  private:
    RateLimit limit_;
    double tokens_;
    Clock::time_point last_;
};

// The agencies and the admin token of one configuration, immutable: what a request
// authenticates against (one snapshot of service/http/live_settings.hpp holds one).
class AgencyTable {
  public:
    AgencyTable(const std::vector<Agency>& agencies, std::string admin_token_sha256);

    // The agency whose token this is, or nullopt.
    [[nodiscard]] std::optional<std::string> authenticate(std::string_view bearer_token) const;
    [[nodiscard]] bool is_admin(std::string_view bearer_token) const;
    [[nodiscard]] bool known(std::string_view agency_id) const;
    // The agency's rate limit; nullopt when it is not one.
    [[nodiscard]] std::optional<RateLimit> limit(std::string_view agency_id) const;
    [[nodiscard]] size_t size() const { return entries_.size(); }

  private:
    struct Entry {
        std::string id;
        std::string digest;  // lower-case hex
        RateLimit limit;
    };
    std::vector<Entry> entries_;
    std::string admin_digest_;
};

// The agencies in use (an AgencyTable, replaced whole by a reload) and their token
// buckets, which outlive a reload.
class AgencyRegistry {
  public:
    explicit AgencyRegistry(const std::vector<Agency>& agencies,
                            std::string admin_token_sha256 = {});

    // The agency whose token this is, or nullopt.
    [[nodiscard]] std::optional<std::string> authenticate(std::string_view bearer_token) const;
    [[nodiscard]] bool is_admin(std::string_view bearer_token) const;
    [[nodiscard]] bool known(std::string_view agency_id) const;
    // The most events one request of the agency can ever carry (its bucket size).
    [[nodiscard]] double burst(std::string_view agency_id) const;
    // The table in use, whole: what a settings snapshot holds.
    [[nodiscard]] std::shared_ptr<const AgencyTable> table() const;

    // Takes `events` from the agency's bucket; the wait when over the limit.
    std::optional<TokenBucket::Clock::duration> take(
        const std::string& agency, double events,
        TokenBucket::Clock::time_point now = TokenBucket::Clock::now());
    // The same, with the rate limit of `table` (the request's snapshot) for a new bucket.
    std::optional<TokenBucket::Clock::duration> take(const AgencyTable& table,
                                                     const std::string& agency, double events,
                                                     TokenBucket::Clock::time_point now);

    // Returns tokens taken for events that were not accepted after all.
    void give_back(const std::string& agency, double events);

    // Replaces agencies and the admin token (hot reload); buckets of agencies that stay
    // keep their level, under their new limit.
    void replace(const std::vector<Agency>& agencies, std::string admin_token_sha256);
    void replace(std::shared_ptr<const AgencyTable> table);
    [[nodiscard]] size_t size() const;

  private:
    mutable std::mutex mutex_;
    std::shared_ptr<const AgencyTable> table_;
    std::map<std::string, TokenBucket, std::less<>> buckets_;
};

}  // namespace vigie
