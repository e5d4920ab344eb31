// SPDX-License-Identifier: EUPL-1.2
#pragma once
// One HTTP connection, plain or TLS (the Derived class supplies stream(), the way to close
// it and whether it is plain). Internal to http/: included by http_listener.cpp only.
//
// A request goes through two stages. Its header is read under a short deadline and the
// handler admits it (route, method, credentials) before a byte of its body is read: an
// unauthenticated peer gets its 401 at once, never a 100 Continue, and its body is never
// read nor held. Once admitted, the body is read under the read deadline and the request
// is run on a worker pool (RequestLane), so that the I/O threads only read, write and
// dispatch.
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <memory>
#include <optional>

#include "service/http/ingest_handler.hpp"

namespace vigie::http_detail {

namespace beast = boost::beast;
namespace http = boost::beast::http;

// What the listener knows of a session, read from the acceptor's strand while the session
// runs on its own: hence atomics.
class SessionControl {
  public:
    virtual ~SessionControl() = default;
    // Closes the connection if it is waiting for a request; otherwise it closes after
    // its current answer.
    virtual void shutdown() = 0;
    // Closes the connection if it is still waiting for a request (a newcomer needs its slot).
    virtual void evict() = 0;
    // Waiting for a request header (or its TLS handshake, or lingering after a refusal).
    [[nodiscard]] bool waiting() const { return waiting_.load(std::memory_order_acquire); }
    // One of its requests was authenticated: it is never evicted for a newcomer.
    [[nodiscard]] bool trusted() const { return trusted_.load(std::memory_order_acquire); }
    // One of its requests was answered (or refused): it is evicted before a connection
    // that has not been read yet, which may be an agency's, its header still unread.
    [[nodiscard]] bool served() const { return served_.load(std::memory_order_acquire); }
    // The order in which sessions began waiting (the lowest has waited longest).
    [[nodiscard]] uint64_t waiting_since() const {
        return waiting_since_.load(std::memory_order_acquire);
    }

  protected:
    std::atomic<bool> waiting_{true};
    std::atomic<bool> trusted_{false};
    std::atomic<bool> served_{false};
    std::atomic<uint64_t> waiting_since_{0};
};

// What a session needs from its listener, shared so that a session outliving the
// listener's owner stays valid.
class SessionHost {
  public:
    virtual ~SessionHost() = default;
    virtual RequestHandler& handler() = 0;
    // The settings a request begins under (a snapshot: a reload publishes a new one).
    virtual std::shared_ptr<const LiveSettings> settings() const = 0;
    virtual bool stopping() const = 0;
    virtual void session_ended() = 0;
    // A session waits again for a request after one was answered: while accepting is
    // paused at the connection limit, a newcomer may now take its slot.
    virtual void session_waiting() = 0;
    virtual uint64_t next_sequence() = 0;
    virtual boost::asio::thread_pool& pool(RequestLane lane) = 0;
    // Requests handed to a pool and not yet answered (a gauge).
    virtual std::atomic<uint64_t>& in_progress() = 0;
};

constexpr size_t kHeaderLimit = size_t{16} << 10;
constexpr size_t kReadBufferBytes = size_t{64} << 10;  // the most Beast reads at once
// After a refusal whose body was not read: how long the rest of it is read and dropped
// (nothing kept), so that the client, still sending, can read the answer rather than
// have its connection reset under it.
constexpr std::chrono::seconds kLinger{2};

http::response<http::string_body> to_response(HttpAnswer&& answer, unsigned version,
                                              bool keep_alive);
// The request's header as the handlers see it (its body empty); to_request adds the body.
HttpRequest to_request_head(const http::request<http::string_body>& req, std::string peer);
HttpRequest to_request(http::request<http::string_body>&& req, std::string peer);

template <class Derived>
class HttpSession : public SessionControl {
  public:
    explicit HttpSession(std::shared_ptr<SessionHost> host, std::string peer)
        : host_(std::move(host)), peer_(std::move(peer)) {
        // Beast reads at most the buffer's free capacity (at least 512 bytes); a
        // buffer that never grows would read a 16 MiB body 512 bytes per system call.
        buffer_.reserve(kReadBufferBytes);
        waiting_since_ = host_->next_sequence();
    }
    ~HttpSession() override { host_->session_ended(); }

    void shutdown() override {
        boost::asio::post(self().stream().get_executor(),
                          [s = self().shared_from_this()] { s->close_if_idle(); });
    }
    void evict() override { shutdown(); }

  protected:
    Derived& self() { return static_cast<Derived&>(*this); }
    auto& lowest() { return beast::get_lowest_layer(self().stream()); }
    std::chrono::seconds seconds(uint32_t n) const { return std::chrono::seconds(n); }

    // The first request's deadline covers the TLS handshake too (set by the caller).
    void read_request() {
        if (host_->stopping()) return self().close();
        live_ = host_->settings();  // this request's, to its answer
        parser_.emplace();
        parser_->header_limit(kHeaderLimit);
        parser_->body_limit(live_->http.max_body_bytes);
        const HttpSettings& settings = live_->http;
        // Until a request is admitted, a peer holds its slot for seconds, not minutes: one
        // deadline for the whole header, so that a byte a second is dropped as surely as
        // silence.
        lowest().expires_after(
            seconds(answered_ ? settings.idle_timeout_seconds : settings.header_timeout_seconds));
        begin_waiting(answered_);
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
    void begin_waiting(bool tell_host) {
        idle_ = true;
        if (tell_host) served_.store(true, std::memory_order_release);
        waiting_since_.store(host_->next_sequence(), std::memory_order_release);
        waiting_.store(true, std::memory_order_release);
        if (tell_host) host_->session_waiting();
    }
    void end_waiting() {
        idle_ = false;
        waiting_.store(false, std::memory_order_release);
    }

    void on_header(beast::error_code ec, size_t) {
        end_waiting();
        if (ec) return on_read_error(ec);
        const auto& req = parser_->get();
        version_ = req.version();
        head_ = to_request_head(req, peer_);
        head_.settings = live_;
        self().identify(head_);
        const bool has_body = !parser_->is_done();
        Admission admission = host_->handler().admit(head_, has_body);
        if (admission.refusal) return refuse(std::move(*admission.refusal), has_body);
        if (admission.authenticated) trusted_.store(true, std::memory_order_release);
        lane_ = admission.lane;
        if (!has_body) return on_body({}, 0);
        lowest().expires_after(seconds(live_->http.read_timeout_seconds));
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
                                                std::to_string(live_->http.max_body_bytes) +
                                                " bytes (http.max_body_bytes)"),
                          false, true);
        }
        if (ec == http::error::header_limit) {
            return answer(error_answer(431, "the request header is over 16 KiB"), false, true);
        }
        if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
            ec == boost::asio::error::operation_aborted || ec == boost::asio::error::eof ||
            ec == boost::asio::error::connection_reset || ec == http::error::partial_message ||
            ec == boost::asio::ssl::error::stream_truncated) {
            return self().close();
        }
        // Anything else is a request that is not HTTP/1.x: answer 400 and close.
        answer(error_answer(400, "malformed HTTP request: " + ec.message()), false, true);
    }

    // Refused on its header: answered at once, its body (if any) never read, and the
    // connection closed (it cannot carry another request past an unread body).
    void refuse(HttpAnswer&& a, bool has_body) { answer(std::move(a), false, has_body); }

    void on_body(beast::error_code ec, size_t) {
        if (ec) return on_read_error(ec);
        lowest().expires_never();  // the engine answers; its queue bounds the wait
        const bool keep_alive = parser_->get().keep_alive();
        head_.body = std::move(parser_->get().body());
        parser_.reset();
        dispatch(std::move(head_), keep_alive);
    }

    void dispatch(HttpRequest&& request, bool keep_alive) {
        auto s = self().shared_from_this();
        auto reply = [s, keep_alive](HttpAnswer&& a) {
            boost::asio::post(s->self().stream().get_executor(),
                              [s, keep_alive, a = std::move(a)]() mutable {
                                  s->answer(std::move(a), keep_alive, false);
                              });
        };
        if (lane_ == RequestLane::Inline) return host_->handler().handle(std::move(request), reply);
        host_->in_progress().fetch_add(1);
        boost::asio::post(host_->pool(lane_), [s, reply, request = std::move(request)]() mutable {
            auto answered = std::make_shared<std::atomic<bool>>(false);
            auto once = [s, reply, answered](HttpAnswer&& a) {
                if (answered->exchange(true)) return;
                s->host_->in_progress().fetch_sub(1);
                reply(std::move(a));
            };
            try {
                s->host_->handler().handle(std::move(request), once);
            } catch (const std::exception& e) {  // one request's failure, not the pool's
                once(error_answer(500, std::string("the request failed: ") + e.what()));
            }
        });
    }

    // `linger`: the request's body was not (all) read; the rest is dropped after the answer.
    void answer(HttpAnswer&& a, bool keep_alive, bool linger) {
        keep_alive = keep_alive && !host_->stopping();
        auto res = std::make_shared<http::response<http::string_body>>(
            to_response(std::move(a), version_, keep_alive));
        lowest().expires_after(seconds(live_->http.read_timeout_seconds));
        http::async_write(
            self().stream(), *res,
            [s = self().shared_from_this(), res, keep_alive, linger](beast::error_code ec, size_t) {
                if (ec) return s->self().close();
                if (linger) return s->linger();
                if (!keep_alive) return s->self().close();
                s->answered_ = true;
                s->read_request();
            });
    }

    // What the client still sends is read and dropped (nothing kept) until it stops or
    // kLinger passes, so that it reads the answer rather than have its connection reset
    // under it. Plain TCP says it sends no more first; TLS cannot, and closes after. The
    // session waits meanwhile: it may be evicted.
    void linger() {
        if constexpr (Derived::kPlain) {
            beast::error_code ec;
            lowest().socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
            if (ec) return self().close();
        }
        lowest().expires_after(kLinger);
        begin_waiting(true);
        drop_input();
    }
    void drop_input() {
        buffer_.clear();
        self().stream().async_read_some(
            buffer_.prepare(kReadBufferBytes),
            [s = self().shared_from_this()](beast::error_code ec, size_t) {
                if (ec) return s->self().close();
                s->drop_input();
            });
    }

    std::shared_ptr<SessionHost> host_;
    std::string peer_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    HttpRequest head_;
    std::shared_ptr<const LiveSettings> live_;  // the current request's settings
    RequestLane lane_ = RequestLane::Inline;
    unsigned version_ = 11;
    bool idle_ = true;       // a read that may be cancelled is pending (or about to be)
    bool answered_ = false;  // a request was answered: the next one waits as kept alive
};

}  // namespace vigie::http_detail
