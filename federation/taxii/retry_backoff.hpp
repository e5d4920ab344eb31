// SPDX-License-Identifier: EUPL-1.2
#pragma once
// When to try a TAXII request again, and after how long: exponential backoff with full
// jitter (a random wait between 0 and base * 2^attempt, capped), so that many clients
// failing together do not come back together; a server's Retry-After is a floor.
#include <chrono>
#include <cstdint>
#include <random>

namespace vigie::taxii {

struct BackoffPolicy {
    unsigned max_attempts = 5;  // the first try included
    std::chrono::milliseconds base{500};
    std::chrono::milliseconds cap{30'000};
    std::chrono::milliseconds max_retry_after{300'000};  // a longer Retry-After is cut to this
};

// The wait before try number `attempt` + 1 (attempt >= 1: the tries made so far).
std::chrono::milliseconds backoff_delay(const BackoffPolicy& policy, unsigned attempt,
                                        std::chrono::seconds retry_after, std::mt19937_64& random);

// Connection errors (status 0), 429 and 5xx are worth another try; other statuses are
// the answer.
bool transient_failure(long status);

}  // namespace vigie::taxii

#include <functional>

#include "federation/taxii/taxii_http.hpp"

namespace vigie::taxii {

// Waits that long, or less when asked to stop; false when asked to stop.
using StopWait = std::function<bool(std::chrono::milliseconds)>;

// taxii_exchange, tried again on transient failures (not on a body over the cap, not
// after `stop`) up to policy.max_attempts times; `retried` counts the retries.
HttpExchangeResult exchange_with_retries(const PeerEndpoint& endpoint, const std::string& url,
                                         const std::string* post, const std::atomic<bool>& stop,
                                         const StopWait& wait, const BackoffPolicy& policy,
                                         std::atomic<uint64_t>& retried);

}  // namespace vigie::taxii
