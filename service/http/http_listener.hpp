// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The HTTP(S) listener of vigie serve (Boost.Beast over Asio, TLS with OpenSSL): at most
// `max_connections` connections, where a newcomer at the limit takes the slot of the
// unauthenticated connection idle longest (beyond that, new ones wait in the kernel
// backlog); each request's header is read under a short deadline and admitted (auth,
// route) by its RequestHandler (the ingest routes, or the metrics) before its body is
// read under the read deadline, with
// header and body size limits; admitted requests run on two small worker pools (ingest;
// TAXII and reloads), never on the I/O threads.
#include <cstdint>
#include <functional>
#include <memory>

#include "core/logger.hpp"
#include "service/http/http_settings.hpp"
#include "service/http/ingest_handler.hpp"
#include "service/http/live_settings.hpp"

namespace boost::asio {
class io_context;
class thread_pool;
}  // namespace boost::asio

namespace vigie {

// The settings each request begins under (vigie serve: the snapshot a reload replaces).
using LiveSettingsSource = std::function<std::shared_ptr<const LiveSettings>()>;

class HttpListener {
  public:
    // Binds at once; throws std::runtime_error when it cannot (a start-up failure).
    // `settings` gives the address, TLS and pools; `live`, when given, the limits and
    // timeouts of each request (else `settings`' for ever).
    HttpListener(boost::asio::io_context& io, const HttpSettings& settings, RequestHandler& handler,
                 Logger& log, LiveSettingsSource live = {});
    ~HttpListener();
    HttpListener(const HttpListener&) = delete;
    HttpListener& operator=(const HttpListener&) = delete;

    void start();
    // Stops accepting and closes idle connections; requests in progress are answered
    // (then their connections closed). Safe from any thread.
    void stop();
    [[nodiscard]] uint16_t port() const;  // the bound port (useful with port 0)
    [[nodiscard]] size_t connections() const;
    // Requests on the worker pools, not yet answered.
    [[nodiscard]] uint64_t requests_in_progress() const;
    // Idle unauthenticated connections closed to give their slot to a newcomer.
    [[nodiscard]] uint64_t evicted() const;

  private:
    class State;
    std::shared_ptr<boost::asio::thread_pool> ingest_pool_;
    std::shared_ptr<boost::asio::thread_pool> other_pool_;
    std::shared_ptr<State> state_;
};

}  // namespace vigie
