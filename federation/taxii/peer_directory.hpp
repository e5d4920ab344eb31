// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Who is asking: the configured TAXII peer a request's credentials (HTTP Basic, Bearer
// token, TLS client certificate) belong to, and what that peer may do.
#include <string>
#include <vector>

#include "core/http_exchange.hpp"
#include "federation/stix/tlp.hpp"
#include "federation/taxii/taxii_config.hpp"

namespace vigie::taxii {

class PeerDirectory {
  public:
    explicit PeerDirectory(std::vector<PeerSettings> peers) : peers_(std::move(peers)) {}

    // The peer, or nullptr when the credentials are missing or wrong. Secrets are compared
    // by SHA-256 digest in constant time.
    [[nodiscard]] const PeerSettings* authenticate(const HttpRequest& request) const;

  private:
    std::vector<PeerSettings> peers_;
};

bool may_read(const PeerSettings& peer, const std::string& collection_id);
bool may_write(const PeerSettings& peer, const std::string& collection_id);
stix::PeerClearance clearance(const PeerSettings& peer);

}  // namespace vigie::taxii
