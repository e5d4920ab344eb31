// SPDX-License-Identifier: EUPL-1.2
#include "pipeline/alerts/alert_id.hpp"

#include <openssl/evp.h>

#include <array>
#include <memory>

namespace vigie {

namespace {

// One digest context per thread, reused: the hot path allocates nothing per alert.
EVP_MD_CTX* thread_digest() {
    thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(
        EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    return ctx.get();
}

}  // namespace

void compute_alert_id(std::string_view rule_id, std::string_view agency,
                      std::string_view minified_event, std::string& out) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    EVP_MD_CTX* ctx = thread_digest();
    const char nul = '\0';
    EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
    EVP_DigestUpdate(ctx, rule_id.data(), rule_id.size());
    EVP_DigestUpdate(ctx, &nul, 1);
    EVP_DigestUpdate(ctx, agency.data(), agency.size());
    EVP_DigestUpdate(ctx, &nul, 1);
    EVP_DigestUpdate(ctx, minified_event.data(), minified_event.size());
    EVP_DigestFinal_ex(ctx, digest.data(), &length);
    static constexpr char kHex[] = "0123456789abcdef";
    out.clear();
    for (size_t i = 0; i < 16; ++i) {
        out += kHex[digest[i] >> 4];
        out += kHex[digest[i] & 15];
    }
}

}  // namespace vigie
