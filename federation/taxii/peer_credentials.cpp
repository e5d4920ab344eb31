// SPDX-License-Identifier: EUPL-1.2
#include "federation/taxii/peer_credentials.hpp"

#include <fstream>
#include <optional>
#include <sstream>

namespace vigie::taxii {

namespace {

std::optional<std::string> read_secret(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    std::string secret = text.str();
    if (!secret.empty() && secret.back() == '\n') secret.pop_back();
    if (!secret.empty() && secret.back() == '\r') secret.pop_back();
    if (secret.empty()) return std::nullopt;
    return secret;
}

}  // namespace

Result<PeerCredentials> load_peer_credentials(const FederationPeer& peer) {
    PeerCredentials c;
    c.user = peer.user;
    for (const auto& [file, out] :
         {std::pair{&peer.password_file, &c.password}, std::pair{&peer.token_file, &c.token}}) {
        if (file->empty()) continue;
        auto secret = read_secret(*file);
        if (!secret) {
            return Error{"federation peer " + peer.id + ": cannot read the secret in " + *file +
                         " (missing, unreadable or empty)"};
        }
        *out = std::move(*secret);
    }
    return c;
}

}  // namespace vigie::taxii
