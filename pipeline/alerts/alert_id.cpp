// SPDX-License-Identifier: EUPL-1.2
#include "pipeline/alerts/alert_id.hpp"

// OpenSSL 3.0's EVP interface allocates a provider context on every digest it starts
// (measured: 2 allocations a digest with EVP_sha256(), 1 with a fetched digest, a reused
// context or a copied one), and an alert id is computed for every alert on the hot path.
// The low-level SHA-256 functions keep their state in the caller's SHA256_CTX and allocate
// nothing. OpenSSL 3 marks them deprecated (for a later major version), not removed: when
// they go, this is the one place to change, and tests/hot_path will say so.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <array>

namespace vigie {

void compute_alert_id(std::string_view rule_id, std::string_view agency,
                      std::string_view minified_event, std::string& out) {
    std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
    SHA256_CTX ctx;
    const char nul = '\0';
    SHA256_Init(&ctx);
    SHA256_Update(&ctx, rule_id.data(), rule_id.size());
    SHA256_Update(&ctx, &nul, 1);
    SHA256_Update(&ctx, agency.data(), agency.size());
    SHA256_Update(&ctx, &nul, 1);
    SHA256_Update(&ctx, minified_event.data(), minified_event.size());
    SHA256_Final(digest.data(), &ctx);
    static constexpr char kHex[] = "0123456789abcdef";
    out.clear();
    for (size_t i = 0; i < 16; ++i) {
        out += kHex[digest[i] >> 4];
        out += kHex[digest[i] & 15];
    }
}

}  // namespace vigie
