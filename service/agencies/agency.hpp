// SPDX-License-Identifier: EUPL-1.2
#pragma once
// An agency allowed to send events (`agencies:` in the configuration).
#include <string>

namespace vigie {

struct RateLimit {
    double events_per_second = 5000;  // refill rate of the agency's token bucket
    double burst = 20000;             // bucket size
};

struct Agency {
    std::string id;            // attached to its events and alerts; never from the payload
    std::string token_sha256;  // lower-case hex SHA-256 of the bearer token
    RateLimit rate_limit;
};

}  // namespace vigie
