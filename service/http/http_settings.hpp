// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The HTTP(S) ingest listener (`http:` in the configuration).
#include <cstdint>
#include <string>

#include "core/listen_address.hpp"

namespace vigie {

struct TlsSettings {
    bool enabled = false;
    std::string certificate;  // PEM
    std::string private_key;  // PEM
    std::string client_ca;    // PEM; when set, clients must present a certificate it signed
};

struct HttpSettings {
    ListenAddress listen{"127.0.0.1", 8080};
    uint64_t max_body_bytes = 16ULL << 20;  // after decompression
    uint64_t max_event_bytes = 1ULL << 20;
    uint32_t max_connections = 256;
    // An admitted (authenticated) request's body, and the write of each answer: a slow
    // client is dropped after this.
    uint32_t read_timeout_seconds = 30;
    // Before a request is authenticated: a new connection (its TLS handshake and request
    // header included) and a kept-alive one between requests are dropped after these.
    uint32_t header_timeout_seconds = 10;
    uint32_t idle_timeout_seconds = 5;
    // Threads of each of the two pools that run requests off the I/O threads (ingest:
    // inflate and check bodies; other: TAXII, reloads).
    uint32_t request_threads = 2;
    TlsSettings tls;
};

}  // namespace vigie
