// SPDX-License-Identifier: EUPL-1.2
#include "service/http/tls_context.hpp"

#include <boost/asio/ssl.hpp>
#include <stdexcept>

namespace vigie {

namespace ssl = boost::asio::ssl;

std::shared_ptr<ssl::context> make_tls_context(const TlsSettings& tls) {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                     ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    try {
        ctx->use_certificate_chain_file(tls.certificate);
        ctx->use_private_key_file(tls.private_key, ssl::context::pem);
        if (!tls.client_ca.empty()) {
            ctx->load_verify_file(tls.client_ca);
            ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
        }
    } catch (const boost::system::system_error& e) {
        throw std::runtime_error("TLS: cannot load certificate, key or client CA (" +
                                 tls.certificate + ", " + tls.private_key + "): " + e.what());
    }
    return ctx;
}

}  // namespace vigie
