// SPDX-License-Identifier: EUPL-1.2
#include "core/token_digest.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace vigie {

std::string sha256_hex(std::string_view token) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    if (EVP_Digest(token.data(), token.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("OpenSSL EVP_Digest(SHA-256) failed");
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * static_cast<size_t>(size));
    for (unsigned int i = 0; i < size; ++i) {
        out += kHex[digest[i] >> 4U];
        out += kHex[digest[i] & 0xFU];
    }
    return out;
}

bool is_sha256_hex(std::string_view text) {
    return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
           });
}

}  // namespace vigie
