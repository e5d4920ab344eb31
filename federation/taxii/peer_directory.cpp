// SPDX-License-Identifier: EUPL-1.2
#include "federation/taxii/peer_directory.hpp"

#include <openssl/crypto.h>

#include "core/text.hpp"
#include "core/token_digest.hpp"

namespace vigie::taxii {

namespace {

bool same_digest(const std::string& a, const std::string& b) {
    return a.size() == b.size() && !a.empty() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view after_scheme(std::string_view authorization, std::string_view scheme) {
    if (authorization.size() <= scheme.size() || !starts_with_ascii_nocase(authorization, scheme))
        return {};
    return authorization.substr(scheme.size());
}

// "Bearer <token>", or "Token <token>" as the OASIS TAXII client (taxii2-client) sends it:
// the same secret either way, checked the same way.
std::string_view bearer(std::string_view authorization) {
    std::string_view token = after_scheme(authorization, "bearer ");
    if (token.empty()) token = after_scheme(authorization, "token ");
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    return token;
}

const CollectionRights* rights(const PeerSettings& peer, const std::string& collection_id) {
    for (const auto& r : peer.collections)
        if (r.collection == collection_id) return &r;
    return nullptr;
}

}  // namespace

const PeerSettings* PeerDirectory::authenticate(const HttpRequest& request) const {
    const PeerSettings* found = nullptr;
    if (!request.basic_user.empty()) {
        const std::string digest = sha256_hex(request.basic_password);
        for (const auto& p : peers_)
            if (!p.user.empty() && p.user == request.basic_user &&
                same_digest(digest, p.password_sha256))
                found = &p;
    } else if (std::string_view token = bearer(request.authorization); !token.empty()) {
        const std::string digest = sha256_hex(token);
        for (const auto& p : peers_)
            if (same_digest(digest, p.token_sha256)) found = &p;
    } else if (request.authorization.empty() && !request.client_identity.empty()) {
        // A certificate alone authenticates only a peer that has no other credential.
        for (const auto& p : peers_)
            if (p.user.empty() && p.token_sha256.empty() &&
                p.certificate_cn == request.client_identity)
                found = &p;
    }
    // A peer bound to a certificate must present it with its password or token as well.
    if (found != nullptr && !found->certificate_cn.empty() &&
        found->certificate_cn != request.client_identity)
        return nullptr;
    return found;
}

bool may_read(const PeerSettings& peer, const std::string& collection_id) {
    const CollectionRights* r = rights(peer, collection_id);
    return r != nullptr && r->read;
}

bool may_write(const PeerSettings& peer, const std::string& collection_id) {
    const CollectionRights* r = rights(peer, collection_id);
    return r != nullptr && r->write;
}

stix::PeerClearance clearance(const PeerSettings& peer) {
    return {true, peer.tlp_amber};
}

}  // namespace vigie::taxii
