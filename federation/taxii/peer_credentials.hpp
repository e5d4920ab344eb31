// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The secrets of a federation peer, read from the files its configuration names
// (password_file, token_file): read once at start, so that a missing or unreadable file
// stops vigie serve there rather than failing every poll later.
#include <string>

#include "core/result.hpp"
#include "federation/taxii/federation_config.hpp"

namespace vigie::taxii {

struct PeerCredentials {
    std::string user;
    std::string password;  // with user: HTTP Basic
    std::string token;     // Bearer
};

// An error when a named file cannot be read or is empty. One trailing newline
// (echo SECRET > file) is not part of the secret.
Result<PeerCredentials> load_peer_credentials(const FederationPeer& peer);

}  // namespace vigie::taxii
