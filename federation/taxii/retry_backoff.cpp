// SPDX-License-Identifier: EUPL-1.2
#include "federation/taxii/retry_backoff.hpp"

#include <algorithm>

namespace vigie::taxii {

std::chrono::milliseconds backoff_delay(const BackoffPolicy& policy, unsigned attempt,
                                        std::chrono::seconds retry_after, std::mt19937_64& random) {
    const unsigned doublings = std::min(attempt > 0 ? attempt - 1 : 0U, 20U);
    const int64_t ceiling = std::min<int64_t>(policy.base.count() << doublings, policy.cap.count());
    std::uniform_int_distribution<int64_t> pick(0, std::max<int64_t>(ceiling, 0));
    const auto jittered = std::chrono::milliseconds(pick(random));
    const auto floor = std::min<std::chrono::milliseconds>(retry_after, policy.max_retry_after);
    return std::max(jittered, floor);
}

bool transient_failure(long status) {
    return status == 0 || status == 429 || (status >= 500 && status <= 599);
}

}  // namespace vigie::taxii

namespace vigie::taxii {

HttpExchangeResult exchange_with_retries(const PeerEndpoint& endpoint, const std::string& url,
                                         const std::string* post, const std::atomic<bool>& stop,
                                         const StopWait& wait, const BackoffPolicy& policy,
                                         std::atomic<uint64_t>& retried) {
    static thread_local std::mt19937_64 random{std::random_device{}()};
    for (unsigned attempt = 1;; ++attempt) {
        HttpExchangeResult r = taxii_exchange(endpoint, url, post, &stop);
        if (r.interrupted || r.too_large || !transient_failure(r.status)) return r;
        if (attempt >= policy.max_attempts) return r;
        ++retried;
        const auto delay =
            backoff_delay(policy, attempt, std::chrono::seconds(r.retry_after_seconds), random);
        if (!wait(delay)) {
            r.interrupted = true;
            return r;
        }
    }
}

}  // namespace vigie::taxii
