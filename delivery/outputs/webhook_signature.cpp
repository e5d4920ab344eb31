// SPDX-License-Identifier: EUPL-1.2
#include "delivery/outputs/webhook_signature.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace vigie {

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &length);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(size_t{length} * 2);
    for (unsigned int i = 0; i < length; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 0xf];
    }
    return out;
}

std::string webhook_signature(std::string_view secret, std::string_view timestamp,
                              std::string_view body) {
    std::string signed_text;
    signed_text.reserve(timestamp.size() + 1 + body.size());
    signed_text.append(timestamp).append(".").append(body);
    return "sha256=" + hmac_sha256_hex(secret, signed_text);
}

std::string webhook_body(std::span<const ForwardedAlert> alerts) {
    size_t size = 2;
    for (const ForwardedAlert& a : alerts) size += a.line.size() + 1;
    std::string body;
    body.reserve(size);
    body += '[';
    for (size_t i = 0; i < alerts.size(); ++i) {
        if (i > 0) body += ',';
        body.append(alerts[i].line);
    }
    body += ']';
    return body;
}

}  // namespace vigie
