// SPDX-License-Identifier: EUPL-1.2
#include "service/http/http_listener.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/ssl.hpp>
#include <list>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "service/http/http_session.hpp"
#include "service/http/tls_context.hpp"

namespace vigie {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using namespace http_detail;

namespace {

class PlainSession final : public HttpSession<PlainSession>,
                           public std::enable_shared_from_this<PlainSession> {
  public:
    static constexpr bool kPlain = true;
    PlainSession(tcp::socket&& socket, std::shared_ptr<SessionHost> host, std::string peer)
        : HttpSession(std::move(host), std::move(peer)), stream_(std::move(socket)) {}
    void run() {
        net::dispatch(stream_.get_executor(), [s = shared_from_this()] { s->read_request(); });
    }
    beast::tcp_stream& stream() { return stream_; }
    void identify(HttpRequest&) {}
    void close() {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        stream_.close();
    }

  private:
    beast::tcp_stream stream_;
};

class TlsSession final : public HttpSession<TlsSession>,
                         public std::enable_shared_from_this<TlsSession> {
  public:
    static constexpr bool kPlain = false;
    TlsSession(tcp::socket&& socket, std::shared_ptr<ssl::context> ctx,
               std::shared_ptr<SessionHost> host, std::string peer,
               std::chrono::seconds handshake_timeout)
        : HttpSession(std::move(host), std::move(peer)),
          ctx_(std::move(ctx)),
          stream_(std::move(socket), *ctx_),
          handshake_timeout_(handshake_timeout) {}
    void run() {
        net::dispatch(stream_.get_executor(), [s = shared_from_this()] {
            beast::get_lowest_layer(s->stream_).expires_after(s->handshake_timeout_);
            s->stream_.async_handshake(ssl::stream_base::server, [s](beast::error_code ec) {
                if (ec) return s->close();
                s->read_request();
            });
        });
    }
    beast::ssl_stream<beast::tcp_stream>& stream() { return stream_; }
    // The client certificate's common name, checked against the token's agency.
    void identify(HttpRequest& request) {
        X509* cert = SSL_get1_peer_certificate(stream_.native_handle());
        if (cert == nullptr) return;
        char cn[256] = {};
        int n =
            X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
        if (n > 0) request.client_identity.assign(cn, static_cast<size_t>(n));
        X509_free(cert);
    }
    void close() {
        if (closing_) return;  // a TLS shutdown runs once
        closing_ = true;
        beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
        stream_.async_shutdown([s = shared_from_this()](beast::error_code) {
            beast::get_lowest_layer(s->stream_).close();
        });
    }

  private:
    std::shared_ptr<ssl::context>
        ctx_;  // the one in force when it connected (a reload may renew it)
    beast::ssl_stream<beast::tcp_stream> stream_;
    std::chrono::seconds handshake_timeout_;
    bool closing_ = false;
};

}  // namespace

namespace http_detail {

http::response<http::string_body> to_response(HttpAnswer&& a, unsigned version, bool keep_alive) {
    http::response<http::string_body> res{static_cast<http::status>(a.status), version};
    res.set(http::field::server, "vigie");
    res.set(http::field::content_type, a.content_type);
    if (a.retry_after_seconds > 0)
        res.set(http::field::retry_after, std::to_string(a.retry_after_seconds));
    if (a.www_authenticate) res.set(http::field::www_authenticate, R"(Bearer realm="vigie")");
    for (auto& [name, value] : a.headers) res.set(name, value);
    res.keep_alive(keep_alive);
    res.body() = std::move(a.body);
    res.body() += '\n';
    res.prepare_payload();
    return res;
}

HttpRequest to_request_head(const http::request<http::string_body>& req, std::string peer) {
    HttpRequest r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    r.request_line = r.method + " " + redact_target(r.target);
    r.authorization = std::string(req[http::field::authorization]);
    r.content_type = std::string(req[http::field::content_type]);
    r.content_encoding = std::string(req[http::field::content_encoding]);
    r.accept = std::string(req[http::field::accept]);
    const auto codings = req.equal_range(http::field::transfer_encoding);
    for (auto field = codings.first; field != codings.second; ++field) {
        if (!r.transfer_encoding.empty()) r.transfer_encoding += ", ";
        r.transfer_encoding += std::string(field->value());
    }
    decode_basic_authorization(r.authorization, r.basic_user, r.basic_password);
    r.peer = std::move(peer);
    return r;
}

HttpRequest to_request(http::request<http::string_body>&& req, std::string peer) {
    HttpRequest r = to_request_head(req, std::move(peer));
    r.body = std::move(req.body());
    return r;
}

}  // namespace http_detail

// The acceptor, the live sessions and the request pools. Sessions hold it through
// SessionHost, so it lives as long as the last of them.
//
// Slots: at most max_connections connections. At the limit, a newcomer takes the slot of
// an untrusted session (none of its requests authenticated) waiting for a request: one
// already served (a health poller between requests) first, else the one not yet read
// that has waited longest. Idle, half-open or health-polling connections cannot keep an
// agency out. With no such session left, accepting pauses (newcomers wait in the
// kernel's backlog) until a session ends or waits again.
class HttpListener::State final : public SessionHost, public std::enable_shared_from_this<State> {
  public:
    State(net::io_context& io, const HttpSettings& settings, RequestHandler& handler, Logger& log,
          LiveSettingsSource live, std::shared_ptr<net::thread_pool> ingest_pool,
          std::shared_ptr<net::thread_pool> other_pool)
        : io_(io),
          fixed_(std::make_shared<const LiveSettings>(LiveSettings{settings, nullptr, nullptr})),
          live_(std::move(live)),
          handler_(handler),
          log_(log),
          acceptor_(net::make_strand(io)),
          ingest_pool_(std::move(ingest_pool)),
          other_pool_(std::move(other_pool)) {
        if (settings.tls.enabled) tls_ = make_tls_context(settings.tls);
        beast::error_code ec;
        tcp::endpoint ep{net::ip::make_address(settings.listen.host, ec), settings.listen.port};
        if (ec) throw std::runtime_error("http.listen: bad address " + settings.listen.host);
        acceptor_.open(ep.protocol(), ec);
        if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
        if (!ec) acceptor_.bind(ep, ec);
        if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
        if (ec)
            throw std::runtime_error("cannot listen on " + settings.listen.host + ":" +
                                     std::to_string(settings.listen.port) + ": " + ec.message());
        port_ = acceptor_.local_endpoint().port();
    }

    RequestHandler& handler() override { return handler_; }
    std::shared_ptr<const LiveSettings> settings() const override {
        return live_ ? live_() : fixed_;
    }
    bool stopping() const override { return stopping_; }

    void session_ended() override {
        std::lock_guard lock(mutex_);
        --active_;
        resume_locked();
    }
    void session_waiting() override {
        std::lock_guard lock(mutex_);
        resume_locked();
    }
    uint64_t next_sequence() override { return sequence_.fetch_add(1) + 1; }
    net::thread_pool& pool(RequestLane lane) override {
        return lane == RequestLane::Ingest ? *ingest_pool_ : *other_pool_;
    }
    std::atomic<uint64_t>& in_progress() override { return in_progress_; }
    uint64_t requests_in_progress() const { return in_progress_.load(); }
    uint64_t evicted() const { return evicted_.load(); }

    void start() {
        net::post(acceptor_.get_executor(), [s = shared_from_this()] { s->accept(); });
    }

    void accept() {
        acceptor_.async_accept(net::make_strand(io_),
                               beast::bind_front_handler(&State::on_accept, shared_from_this()));
    }

    void stop() {
        net::post(acceptor_.get_executor(), [s = shared_from_this()] {
            beast::error_code ec;
            s->acceptor_.close(ec);
        });
        std::vector<std::shared_ptr<SessionControl>> live;
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
            for (auto& weak : sessions_)
                if (auto session = weak.lock()) live.push_back(std::move(session));
            sessions_.clear();
        }
        // Outside the lock: the last reference to a session may go here, and its end
        // takes the lock (session_ended).
        for (auto& session : live) session->shutdown();
    }

    uint16_t port() const { return port_; }
    size_t connections() const {
        std::lock_guard lock(mutex_);
        return active_;
    }

  private:
    void resume_locked() {
        if (paused_ && !stopping_) {
            paused_ = false;
            net::post(acceptor_.get_executor(), [s = shared_from_this()] { s->accept(); });
        }
    }

    // The untrusted session to close for a newcomer, other than `except`: of those waiting
    // for a request, one already served (a health poller between its requests, a refused
    // client lingering) before one not read yet; the one that has waited longest first.
    std::shared_ptr<SessionControl> eviction_candidate(const SessionControl* except) {
        std::vector<std::shared_ptr<SessionControl>> live;
        {
            std::lock_guard lock(mutex_);
            for (auto& weak : sessions_)
                if (auto session = weak.lock()) live.push_back(std::move(session));
        }
        // Outside the lock: the last reference to a session may go here (session_ended).
        std::shared_ptr<SessionControl> oldest;
        auto before = [](const SessionControl& a, const SessionControl& b) {
            if (a.served() != b.served()) return a.served();
            return a.waiting_since() < b.waiting_since();
        };
        for (auto& session : live) {
            if (session.get() == except || !session->waiting() || session->trusted()) continue;
            if (!oldest || before(*session, *oldest)) oldest = session;
        }
        return oldest;
    }

    // A session over `socket`, running; TLS with the context of the settings in force.
    std::shared_ptr<SessionControl> start_session(tcp::socket&& socket, const std::string& peer,
                                                  const LiveSettings& now) {
        if (tls_) {
            auto s = std::make_shared<TlsSession>(
                std::move(socket), now.tls ? now.tls : tls_, shared_from_this(), peer,
                std::chrono::seconds(now.http.header_timeout_seconds));
            s->run();
            return s;
        }
        auto s = std::make_shared<PlainSession>(std::move(socket), shared_from_this(), peer);
        s->run();
        return s;
    }

    void on_accept(beast::error_code ec, tcp::socket socket) {
        if (ec) {
            if (ec != net::error::operation_aborted && !stopping_) {
                log_.warn("accept failed", {{"error", ec.message()}});
                accept();
            }
            return;
        }
        std::string peer;
        beast::error_code pec;
        auto remote = socket.remote_endpoint(pec);
        if (!pec) peer = remote.address().to_string() + ":" + std::to_string(remote.port());
        size_t active = 0;
        {
            std::lock_guard lock(mutex_);
            if (stopping_) return;
            active = ++active_;
            // Forget sessions that have ended, so the list stays as long as the live ones.
            sessions_.remove_if([](const std::weak_ptr<SessionControl>& w) { return w.expired(); });
        }
        const std::shared_ptr<const LiveSettings> now = settings();
        const uint32_t max_connections = now->http.max_connections;
        if (active > max_connections) {
            if (auto victim = eviction_candidate(nullptr)) {
                ++evicted_;
                victim->evict();
            }
        }
        std::shared_ptr<SessionControl> session = start_session(std::move(socket), peer, *now);
        {
            std::lock_guard lock(mutex_);
            if (stopping_) {  // stop() ran while this one was being set up
                session->shutdown();
                return;
            }
            sessions_.push_back(session);
        }
        // At the limit with no session a newcomer could take the slot of, stop accepting:
        // further clients wait in the kernel's backlog until a session ends or waits again.
        if (active >= max_connections && !eviction_candidate(session.get())) {
            std::lock_guard lock(mutex_);
            if (active_ >= max_connections && !stopping_) {
                paused_ = true;
                return;
            }
        }
        net::post(acceptor_.get_executor(), [s = shared_from_this()] { s->accept(); });
    }

    net::io_context& io_;
    std::shared_ptr<const LiveSettings> fixed_;  // without `live_`
    LiveSettingsSource live_;
    RequestHandler& handler_;
    Logger& log_;
    tcp::acceptor acceptor_;
    std::shared_ptr<ssl::context> tls_;  // start-up's; a reload's is in the live settings
    uint16_t port_ = 0;
    mutable std::mutex mutex_;
    size_t active_ = 0;
    bool paused_ = false;
    std::atomic<bool> stopping_{false};
    std::list<std::weak_ptr<SessionControl>> sessions_;
    std::shared_ptr<net::thread_pool> ingest_pool_;
    std::shared_ptr<net::thread_pool> other_pool_;
    std::atomic<uint64_t> sequence_{0};
    std::atomic<uint64_t> in_progress_{0};
    std::atomic<uint64_t> evicted_{0};
};

HttpListener::HttpListener(net::io_context& io, const HttpSettings& settings,
                           RequestHandler& handler, Logger& log, LiveSettingsSource live)
    : ingest_pool_(std::make_shared<net::thread_pool>(std::max(1U, settings.request_threads))),
      other_pool_(std::make_shared<net::thread_pool>(std::max(1U, settings.request_threads))),
      state_(std::make_shared<State>(io, settings, handler, log, std::move(live), ingest_pool_,
                                     other_pool_)) {}

// The pools are joined here, not by the last session: their threads may hold that one.
HttpListener::~HttpListener() {
    try {
        state_->stop();
        ingest_pool_->join();
        other_pool_->join();
    } catch (...) {  // a destructor must not throw; the process is ending anyway
    }
}

void HttpListener::start() {
    state_->start();
}
void HttpListener::stop() {
    state_->stop();
}
uint16_t HttpListener::port() const {
    return state_->port();
}
size_t HttpListener::connections() const {
    return state_->connections();
}
uint64_t HttpListener::requests_in_progress() const {
    return state_->requests_in_progress();
}
uint64_t HttpListener::evicted() const {
    return state_->evicted();
}

}  // namespace vigie
