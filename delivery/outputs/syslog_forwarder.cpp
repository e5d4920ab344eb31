// SPDX-License-Identifier: EUPL-1.2
#include "delivery/outputs/syslog_forwarder.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include "core/clock.hpp"

namespace vigie {

namespace {

constexpr int kSliceMs = 200;  // how often a blocked connect or send checks interrupt()
constexpr int kConnectTimeoutMs = 5000;
constexpr int kSendTimeoutMs = 30000;  // a collector that reads nothing for this long is dead

// RFC 5424 header fields: printable US-ASCII without spaces, at most `max` characters.
std::string header_field(std::string_view value, size_t max) {
    if (value.empty()) return "-";
    std::string out;
    for (char c : value.substr(0, max)) out += (c > 32 && c < 127) ? c : '_';
    return out;
}

std::string rfc3339(uint64_t unix_ms) {
    if (unix_ms == 0) unix_ms = static_cast<uint64_t>(unix_now_ms());
    const time_t seconds = static_cast<time_t>(unix_ms / 1000);
    tm utc{};
    gmtime_r(&seconds, &utc);
    char text[96];  // room for any int fields, so that GCC sees no truncation
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", utc.tm_year + 1900,
                  utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                  static_cast<unsigned>(unix_ms % 1000));
    return text;
}

std::string machine_hostname() {
    char name[256] = "";
    if (::gethostname(name, sizeof name - 1) != 0) return "-";
    return name;
}

void split_address(const std::string& address, std::string& host, std::string& port) {
    const size_t colon = address.rfind(':');
    if (colon == std::string::npos || colon + 1 == address.size() || colon == 0)
        throw std::invalid_argument("syslog address must be host:port: " + address);
    host = address.substr(0, colon);
    port = address.substr(colon + 1);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
}

}  // namespace

int syslog_severity(Level level) {
    switch (level) {
        case Level::Critical:
            return 2;
        case Level::High:
            return 3;
        case Level::Medium:
            return 4;
        case Level::Low:
            return 5;
        case Level::Informational:
            return 6;
    }
    return 6;
}

std::string syslog_frame(const SyslogIdentity& id, const ForwardedAlert& alert) {
    std::string message =
        "<" + std::to_string(id.facility * 8 + syslog_severity(alert.routing.level)) + ">1 " +
        rfc3339(alert.appended_unix_ms) + ' ' + header_field(id.hostname, 255) + ' ' +
        header_field(id.app_name, 48) + ' ' + header_field(id.procid, 128) + " alert - ";
    message.append(alert.line);
    return std::to_string(message.size()) + ' ' + message;
}

SyslogForwarder::SyslogForwarder(std::string name, const SyslogOutputSettings& settings,
                                 OutputLog log)
    : name_(std::move(name)), log_(std::move(log)) {
    split_address(settings.address, host_, port_);
    if (settings.facility > 23)
        throw std::invalid_argument("output " + name_ + ": syslog facility must be 0..23");
    identity_.facility = settings.facility;
    identity_.hostname = settings.hostname.empty() ? machine_hostname() : settings.hostname;
    identity_.app_name = settings.app_name;
    identity_.procid = std::to_string(::getpid());
}

SyslogForwarder::~SyslogForwarder() {
    close_connection();
}

void SyslogForwarder::close_connection() {
    const int fd = fd_.exchange(-1);
    if (fd >= 0) ::close(fd);
}

DeliveryResult SyslogForwarder::failure(const std::string& what) {
    close_connection();
    return DeliveryResult::failed(name_ + ": " + host_ + ":" + port_ + ": " + what);
}

// Non-blocking connect, waited for in slices so that interrupt() is seen.
Status SyslogForwarder::open_connection() {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int rc = ::getaddrinfo(host_.c_str(), port_.c_str(), &hints, &found); rc != 0)
        return Error{std::string("resolve: ") + gai_strerror(rc)};
    Error error{"connect: no address"};
    for (addrinfo* a = found; a; a = a->ai_next) {
        const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) continue;
        int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
        for (int waited = 0;
             rc != 0 && errno == EINPROGRESS && waited < kConnectTimeoutMs && !interrupted_.load();
             waited += kSliceMs) {
            pollfd p{fd, POLLOUT, 0};
            if (::poll(&p, 1, kSliceMs) <= 0) continue;
            int so_error = 0;
            socklen_t len = sizeof so_error;
            ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
            rc = so_error == 0 ? 0 : -1;
            errno = so_error;
            break;
        }
        if (rc == 0) {
            fd_.store(fd);
            ::freeaddrinfo(found);
            return {};
        }
        error.message =
            std::string("connect: ") + (errno == EINPROGRESS ? "timed out" : std::strerror(errno));
        ::close(fd);
    }
    ::freeaddrinfo(found);
    return error;
}

// A collector that closed its end (restarted) shows as readable with nothing to read:
// better found before writing into a dead connection than after.
bool SyslogForwarder::peer_closed() const {
    pollfd p{fd_.load(), POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) return false;
    if (p.revents & (POLLHUP | POLLERR)) return true;
    char byte;
    const ssize_t n = ::recv(p.fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

Status SyslogForwarder::send_all(std::string_view bytes) {
    int idle_ms = 0;
    while (!bytes.empty()) {
        if (interrupted_.load()) return Error{"interrupted"};
        const ssize_t n = ::send(fd_.load(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n > 0) {
            bytes.remove_prefix(static_cast<size_t>(n));
            idle_ms = 0;
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            return Error{std::string("send: ") + std::strerror(errno)};
        pollfd p{fd_.load(), POLLOUT, 0};
        if (::poll(&p, 1, kSliceMs) == 0 && (idle_ms += kSliceMs) >= kSendTimeoutMs)
            return Error{"send: the collector reads nothing (timed out)"};
    }
    return {};
}

DeliveryResult SyslogForwarder::deliver(std::span<const ForwardedAlert> alerts) {
    if (interrupted_.load()) return DeliveryResult::failed(name_ + ": interrupted");
    if (fd_.load() >= 0 && peer_closed()) close_connection();
    if (fd_.load() < 0) {
        if (Status opened = open_connection(); !opened) return failure(opened.error().message);
        if (log_) log_(LogLevel::Info, name_, "syslog collector connected", host_ + ":" + port_);
    }
    std::string frames;
    for (const ForwardedAlert& alert : alerts) frames += syslog_frame(identity_, alert);
    if (Status sent = send_all(frames); !sent) return failure(sent.error().message);
    return DeliveryResult::ok();
}

}  // namespace vigie
