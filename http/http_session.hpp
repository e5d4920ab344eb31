#pragma once
// One HTTP connection, plain or TLS (the Derived class supplies stream() and the way to
// close it). Internal to http/: included by http_listener.cpp only.
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <memory>
#include <optional>

#include "http/ingest_handler.hpp"

namespace vigie::http_detail {

namespace beast = boost::beast;
namespace http = boost::beast::http;

// What a session needs from its listener, shared so that a session outliving the
// listener's owner stays valid.
class SessionHost {
  public:
    virtual ~SessionHost() = default;
    virtual IngestHandler& handler() = 0;
    virtual const HttpSettings& settings() const = 0;
    virtual bool stopping() const = 0;
    virtual void session_ended() = 0;
};

class SessionControl {
  public:
    virtual ~SessionControl() = default;
    // Closes the connection if it is waiting for a request; otherwise it closes after
    // its current answer.
    virtual void shutdown() = 0;
};

constexpr size_t kHeaderLimit = size_t{16} << 10;
constexpr size_t kReadBufferBytes = size_t{64} << 10;  // the most Beast reads at once

http::response<http::string_body> to_response(HttpAnswer&& answer, unsigned version,
                                              bool keep_alive);
HttpRequest to_request(http::request<http::string_body>&& req, std::string peer);

template <class Derived>
class HttpSession : public SessionControl {
  public:
    explicit HttpSession(std::shared_ptr<SessionHost> host, std::string peer)
        : host_(std::move(host)), peer_(std::move(peer)) {
        // Beast reads at most the buffer's free capacity (at least 512 bytes); a
        // buffer that never grows would read a 16 MiB body 512 bytes per system call.
        buffer_.reserve(kReadBufferBytes);
    }
    ~HttpSession() override { host_->session_ended(); }

    void shutdown() override {
        boost::asio::post(self().stream().get_executor(),
                          [s = self().shared_from_this()] { s->close_if_idle(); });
    }

  protected:
    Derived& self() { return static_cast<Derived&>(*this); }
    auto& lowest() { return beast::get_lowest_layer(self().stream()); }
    std::chrono::seconds timeout() const {
        return std::chrono::seconds(host_->settings().read_timeout_seconds);
    }

    void read_request() {
        if (host_->stopping()) return self().close();
        parser_.emplace();
        parser_->header_limit(kHeaderLimit);
        parser_->body_limit(host_->settings().max_body_bytes);
        idle_ = true;
        // One deadline for the whole request: a client sending a byte a second is
        // dropped as surely as one that sends nothing.
        lowest().expires_after(timeout());
        http::async_read_header(
            self().stream(), buffer_, *parser_,
            beast::bind_front_handler(&HttpSession::on_header, self().shared_from_this()));
    }

    // Cancels the pending read; its handler then closes (one operation at a time on the
    // stream, which a TLS stream requires).
    void close_if_idle() {
        if (idle_) lowest().cancel();
    }

  private:
    void on_header(beast::error_code ec, size_t) {
        idle_ = false;
        if (ec) return on_read_error(ec);
        const auto& req = parser_->get();
        version_ = req.version();
        if (beast::iequals(req[http::field::expect], "100-continue")) {
            auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                           req.version());
            return http::async_write(
                self().stream(), *cont,
                [s = self().shared_from_this(), cont](beast::error_code e, size_t) {
                    if (e) return s->self().close();
                    s->read_body();
                });
        }
        read_body();
    }

    void read_body() {
        http::async_read(
            self().stream(), buffer_, *parser_,
            beast::bind_front_handler(&HttpSession::on_body, self().shared_from_this()));
    }

    void on_read_error(beast::error_code ec) {
        if (ec == http::error::body_limit) {
            return answer(error_answer(413, "the body is over the limit of " +
                                                std::to_string(host_->settings().max_body_bytes) +
                                                " bytes (http.max_body_bytes)"),
                          false);
        }
        if (ec == http::error::header_limit) {
            return answer(error_answer(431, "the request header is over 16 KiB"), false);
        }
        if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
            ec == boost::asio::error::operation_aborted || ec == boost::asio::error::eof ||
            ec == boost::asio::error::connection_reset || ec == http::error::partial_message ||
            ec == boost::asio::ssl::error::stream_truncated) {
            return self().close();
        }
        // Anything else is a request that is not HTTP/1.x: answer 400 and close.
        answer(error_answer(400, "malformed HTTP request: " + ec.message()), false);
    }

    void on_body(beast::error_code ec, size_t) {
        if (ec) return on_read_error(ec);
        lowest().expires_never();  // the engine answers; its queue bounds the wait
        const bool keep_alive = parser_->get().keep_alive();
        HttpRequest request = to_request(parser_->release(), peer_);
        self().identify(request);
        parser_.reset();
        host_->handler().handle(std::move(request),
                                [s = self().shared_from_this(), keep_alive](HttpAnswer&& a) {
                                    boost::asio::post(s->self().stream().get_executor(),
                                                      [s, keep_alive, a = std::move(a)]() mutable {
                                                          s->answer(std::move(a), keep_alive);
                                                      });
                                });
    }

    void answer(HttpAnswer&& a, bool keep_alive) {
        keep_alive = keep_alive && !host_->stopping();
        auto res = std::make_shared<http::response<http::string_body>>(
            to_response(std::move(a), version_, keep_alive));
        lowest().expires_after(timeout());
        http::async_write(
            self().stream(), *res,
            [s = self().shared_from_this(), res, keep_alive](beast::error_code ec, size_t) {
                if (ec || !keep_alive) return s->self().close();
                s->read_request();
            });
    }

    std::shared_ptr<SessionHost> host_;
    std::string peer_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    unsigned version_ = 11;
    bool idle_ = false;
};

}  // namespace vigie::http_detail
