#include "serve/agency_registry.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "config/token_digest.hpp"

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

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

bool same_digest(const std::string& a, const std::string& b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

AgencyRegistry::AgencyRegistry(const std::vector<Agency>& agencies,
                               std::string admin_token_sha256) {
    replace(agencies, std::move(admin_token_sha256));
}

void AgencyRegistry::replace(const std::vector<Agency>& agencies, std::string admin_token_sha256) {
    std::vector<Entry> entries;
    entries.reserve(agencies.size());
    for (const auto& a : agencies) entries.push_back({a.id, lower(a.token_sha256), a.rate_limit});
    std::lock_guard lock(mutex_);
    entries_ = std::move(entries);
    admin_digest_ = lower(std::move(admin_token_sha256));
    for (auto it = buckets_.begin(); it != buckets_.end();) {
        auto e = std::find_if(entries_.begin(), entries_.end(),
                              [&](const Entry& x) { return x.id == it->first; });
        if (e == entries_.end()) {
            it = buckets_.erase(it);
        } else {
            it->second.set_limit(e->limit);
            ++it;
        }
    }
}

std::optional<std::string> AgencyRegistry::authenticate(std::string_view bearer_token) const {
    if (bearer_token.empty()) return std::nullopt;
    const std::string digest = sha256_hex(bearer_token);
    std::lock_guard lock(mutex_);
    // Every entry is compared, so the time taken does not tell which one matched.
    const Entry* found = nullptr;
    for (const auto& e : entries_)
        if (same_digest(e.digest, digest)) found = &e;
    if (found == nullptr) return std::nullopt;
    return found->id;
}

bool AgencyRegistry::is_admin(std::string_view bearer_token) const {
    if (bearer_token.empty()) return false;
    const std::string digest = sha256_hex(bearer_token);
    std::lock_guard lock(mutex_);
    return !admin_digest_.empty() && same_digest(admin_digest_, digest);
}

bool AgencyRegistry::known(std::string_view agency_id) const {
    std::lock_guard lock(mutex_);
    return std::any_of(entries_.begin(), entries_.end(),
                       [&](const Entry& e) { return e.id == agency_id; });
}

std::optional<TokenBucket::Clock::duration> AgencyRegistry::take(
    const std::string& agency, double events, TokenBucket::Clock::time_point now) {
    std::lock_guard lock(mutex_);
    auto it = buckets_.find(agency);
    if (it == buckets_.end()) {
        auto e = std::find_if(entries_.begin(), entries_.end(),
                              [&](const Entry& x) { return x.id == agency; });
        if (e == entries_.end()) return std::nullopt;  // not an agency: nothing to limit
        it = buckets_.emplace(agency, TokenBucket(e->limit, now)).first;
    }
    return it->second.take(events, now);
}

void AgencyRegistry::give_back(const std::string& agency, double events) {
    std::lock_guard lock(mutex_);
    if (auto it = buckets_.find(agency); it != buckets_.end()) it->second.give_back(events);
}

double AgencyRegistry::burst(std::string_view agency_id) const {
    std::lock_guard lock(mutex_);
    for (const auto& e : entries_)
        if (e.id == agency_id) return e.limit.burst;
    return 0;
}

size_t AgencyRegistry::size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

}  // namespace vigie
