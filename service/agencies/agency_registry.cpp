// SPDX-License-Identifier: EUPL-1.2
#include "service/agencies/agency_registry.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cmath>

#include "core/text.hpp"
#include "core/token_digest.hpp"

namespace vigie {

std::optional<TokenBucket::Clock::duration> TokenBucket::take(double n, Clock::time_point now) {
    if (now > last_) {
        double elapsed = std::chrono::duration<double>(now - last_).count();
        tokens_ = std::min(limit_.burst, tokens_ + elapsed * limit_.events_per_second);
        last_ = now;
    }
    if (n <= tokens_) {
        tokens_ -= n;
        return std::nullopt;
    }
    // A request larger than the whole bucket can never pass: the wait is what refilling
    // the bucket takes, and the client must split the request.
    double missing = std::min(n, limit_.burst) - tokens_;
    double seconds = limit_.events_per_second > 0 ? missing / limit_.events_per_second : 86400.0;
    seconds = std::min(seconds, 86400.0);  // a tiny rate must not overflow the duration
    return std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(std::max(seconds, 0.001)));
}

namespace {

bool same_digest(const std::string& a, const std::string& b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

AgencyTable::AgencyTable(const std::vector<Agency>& agencies, std::string admin_token_sha256)
    : admin_digest_(std::move(admin_token_sha256)) {
    for (char& c : admin_digest_) c = ascii_lower(c);
    entries_.reserve(agencies.size());
    for (const auto& a : agencies)
        entries_.push_back({a.id, ascii_lower(a.token_sha256), a.rate_limit});
}

std::optional<std::string> AgencyTable::authenticate(std::string_view bearer_token) const {
    if (bearer_token.empty()) return std::nullopt;
    const std::string digest = sha256_hex(bearer_token);
    // Every entry is compared, so the time taken does not tell which one matched.
    const Entry* found = nullptr;
    for (const auto& e : entries_)
        if (same_digest(e.digest, digest)) found = &e;
    if (found == nullptr) return std::nullopt;
    return found->id;
}

bool AgencyTable::is_admin(std::string_view bearer_token) const {
    if (bearer_token.empty()) return false;
    const std::string digest = sha256_hex(bearer_token);
    return !admin_digest_.empty() && same_digest(admin_digest_, digest);
}

bool AgencyTable::known(std::string_view agency_id) const {
    return limit(agency_id).has_value();
}

std::optional<RateLimit> AgencyTable::limit(std::string_view agency_id) const {
    for (const auto& e : entries_)
        if (e.id == agency_id) return e.limit;
    return std::nullopt;
}

AgencyRegistry::AgencyRegistry(const std::vector<Agency>& agencies,
                               std::string admin_token_sha256) {
    replace(agencies, std::move(admin_token_sha256));
}

void AgencyRegistry::replace(const std::vector<Agency>& agencies, std::string admin_token_sha256) {
    replace(std::make_shared<const AgencyTable>(agencies, std::move(admin_token_sha256)));
}

void AgencyRegistry::replace(std::shared_ptr<const AgencyTable> table) {
    std::lock_guard lock(mutex_);
    table_ = std::move(table);
    for (auto it = buckets_.begin(); it != buckets_.end();) {
        if (auto limit = table_->limit(it->first)) {
            it->second.set_limit(*limit);
            ++it;
        } else {
            it = buckets_.erase(it);
        }
    }
}

std::shared_ptr<const AgencyTable> AgencyRegistry::table() const {
    std::lock_guard lock(mutex_);
    return table_;
}

std::optional<std::string> AgencyRegistry::authenticate(std::string_view bearer_token) const {
    return table()->authenticate(bearer_token);
}

bool AgencyRegistry::is_admin(std::string_view bearer_token) const {
    return table()->is_admin(bearer_token);
}

bool AgencyRegistry::known(std::string_view agency_id) const {
    return table()->known(agency_id);
}

std::optional<TokenBucket::Clock::duration> AgencyRegistry::take(
    const std::string& agency, double events, TokenBucket::Clock::time_point now) {
    return take(*table(), agency, events, now);
}

std::optional<TokenBucket::Clock::duration> AgencyRegistry::take(
    const AgencyTable& table, const std::string& agency, double events,
    TokenBucket::Clock::time_point now) {
    std::lock_guard lock(mutex_);
    auto it = buckets_.find(agency);
    if (it == buckets_.end()) {
        const auto limit = table.limit(agency);
        if (!limit) return std::nullopt;  // not an agency: nothing to limit
        it = buckets_.emplace(agency, TokenBucket(*limit, now)).first;
    }
    return it->second.take(events, now);
}

void AgencyRegistry::give_back(const std::string& agency, double events) {
    std::lock_guard lock(mutex_);
    if (auto it = buckets_.find(agency); it != buckets_.end()) it->second.give_back(events);
}

double AgencyRegistry::burst(std::string_view agency_id) const {
    const auto limit = table()->limit(agency_id);
    return limit ? limit->burst : 0;
}

size_t AgencyRegistry::size() const {
    return table()->size();
}

}  // namespace vigie
