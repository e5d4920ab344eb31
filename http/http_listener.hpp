#pragma once
// The HTTP(S) listener of vigie serve (Boost.Beast over Asio, TLS with OpenSSL): accepts
// at most `max_connections` connections (beyond that, new ones wait in the kernel
// backlog), reads each request under a deadline (a slow or half-open client is dropped),
// with header and body size limits, and hands whole requests to the IngestHandler.
#include <cstdint>
#include <memory>

#include "config/serve_config.hpp"
#include "http/ingest_handler.hpp"
#include "serve/logger.hpp"

namespace boost::asio {
class io_context;
}

namespace vigie {

class HttpListener {
  public:
    // Binds at once; throws std::runtime_error when it cannot (a start-up failure).
    HttpListener(boost::asio::io_context& io, const HttpSettings& settings, IngestHandler& handler,
                 Logger& log);
    ~HttpListener();
    HttpListener(const HttpListener&) = delete;
    HttpListener& operator=(const HttpListener&) = delete;

    void start();
    // Stops accepting and closes idle connections; requests in progress are answered
    // (then their connections closed). Safe from any thread.
    void stop();
    [[nodiscard]] uint16_t port() const;  // the bound port (useful with port 0)
    [[nodiscard]] size_t connections() const;

  private:
    class State;
    std::shared_ptr<State> state_;
};

}  // namespace vigie
