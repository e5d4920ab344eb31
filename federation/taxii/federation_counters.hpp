// SPDX-License-Identifier: EUPL-1.2
#pragma once
// What the TAXII client did with each peer, for the metrics (read from any thread while
// the pollers write them).
#include <atomic>
#include <cstdint>
#include <string>

namespace vigie::taxii {

struct PeerPollCounters {
    std::string peer;                             // the peer's id
    std::string collection;                       // the collection polled
    std::atomic<uint64_t> polls{0};               // polls started
    std::atomic<uint64_t> polls_failed{0};        // polls that ended on an error (after retries)
    std::atomic<uint64_t> pages{0};               // pages handed to the sink
    std::atomic<uint64_t> pages_refused{0};       // pages refused whole (too large, not JSON, ...)
    std::atomic<uint64_t> retries{0};             // requests tried again (connection, 429, 5xx)
    std::atomic<uint64_t> objects_received{0};    // objects of the pages handed to the sink
    std::atomic<uint64_t> objects_refused{0};     // of those, refused by the sink
    std::atomic<uint64_t> polls_capped{0};        // polls stopped at max_objects_per_poll
    std::atomic<int64_t> last_success_unix_s{0};  // end of the last poll without error; 0: none
};

}  // namespace vigie::taxii
