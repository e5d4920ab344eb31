// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The TLS server context of the ingest listener (TLS 1.2 and later) from http.tls: built
// at start-up, and again by each reload, so that certificate files renewed in place, or
// other ones the file now names, serve the connections opened from then on.
#include <memory>

#include "service/http/http_settings.hpp"

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace vigie {

// Throws std::runtime_error naming the files when one cannot be loaded.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const TlsSettings& tls);

}  // namespace vigie
