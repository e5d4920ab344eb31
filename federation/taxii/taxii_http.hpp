// SPDX-License-Identifier: EUPL-1.2
#pragma once
// One HTTP exchange with a TAXII 2.1 peer (core/http_client.hpp): the TAXII media type, the peer's
// credentials (Basic or Bearer), its CA and client certificate (mTLS), timeouts, and a
// body read no further than a cap, so that a peer cannot make vigie hold more than that
// in memory. Errors are values. Redirects are not followed: the credentials would go
// along to wherever the peer points.
#include <atomic>
#include <cstdint>
#include <string>

#include "federation/taxii/federation_config.hpp"
#include "federation/taxii/peer_credentials.hpp"

namespace vigie::taxii {

struct HttpExchangeResult {
    long status = 0;           // 0: no HTTP answer (see error)
    bool too_large = false;    // the body went over the cap; reading was aborted
    bool interrupted = false;  // stopped by the stop flag
    std::string error;         // why there is no usable answer ("" when status is set)
    std::string body;          // at most the cap
    std::string content_type;
    std::string date_added_last;  // X-TAXII-Date-Added-Last, when the peer sent it
    int64_t retry_after_seconds = 0;
};

struct PeerEndpoint {
    const FederationPeer* peer = nullptr;  // url, ca_file, cert_file, key_file
    PeerCredentials credentials;
    uint64_t max_body_bytes = 16 << 20;
    long connect_timeout_ms = 10'000;
    long total_timeout_ms = 120'000;
};

// GET `url` (Accept: TAXII 2.1), or POST `body` to it (Content-Type: TAXII 2.1) when
// `post` is set. `stop`, when set, aborts a transfer in progress.
HttpExchangeResult taxii_exchange(const PeerEndpoint& endpoint, const std::string& url,
                                  const std::string* post, const std::atomic<bool>* stop);

}  // namespace vigie::taxii
