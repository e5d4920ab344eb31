// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A minimal HTTP/1.1 server on 127.0.0.1 (an ephemeral port) for the TAXII client's unit
// tests: one connection at a time, one request per connection (Connection: close), each
// answered by a function over vigie's HttpRequest/HttpAnswer, as the TAXII handler is.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "core/http_exchange.hpp"

namespace taxii_test {

class LoopbackHttpServer {
  public:
    using Answer = std::function<vigie::HttpAnswer(const vigie::HttpRequest&)>;

    explicit LoopbackHttpServer(Answer answer) : answer_(std::move(answer)) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        ::listen(fd_, 16);
        socklen_t len = sizeof a;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~LoopbackHttpServer() {
        stop_.store(true);
        thread_.join();
        ::close(fd_);
    }
    [[nodiscard]] std::string url(const std::string& path = "/api1/") const {
        return "http://127.0.0.1:" + std::to_string(port_) + path;
    }
    [[nodiscard]] int requests() const { return requests_.load(); }

  private:
    static std::string header(const std::string& head, const std::string& name) {
        std::string lower_head = head;
        for (auto& c : lower_head)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        const size_t at = lower_head.find("\r\n" + name + ":");
        if (at == std::string::npos) return {};
        size_t start = at + name.size() + 3;
        while (start < head.size() && head[start] == ' ') ++start;
        return head.substr(start, head.find("\r\n", start) - start);
    }
    void serve() {
        while (!stop_.load()) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            const int c = ::accept(fd_, nullptr, nullptr);
            if (c >= 0) handle(c);
        }
    }
    void handle(int c) {
        std::string in;
        char buf[65536];
        size_t head_end = std::string::npos;
        while (head_end == std::string::npos) {
            const ssize_t n = ::read(c, buf, sizeof buf);
            if (n <= 0) return (void)::close(c);
            in.append(buf, static_cast<size_t>(n));
            head_end = in.find("\r\n\r\n");
        }
        const std::string head = in.substr(0, head_end);
        const size_t length = std::stoul("0" + header(head, "content-length"));
        while (in.size() < head_end + 4 + length) {
            const ssize_t n = ::read(c, buf, sizeof buf);
            if (n <= 0) break;
            in.append(buf, static_cast<size_t>(n));
        }
        vigie::HttpRequest r;
        const size_t sp1 = head.find(' ');
        r.method = head.substr(0, sp1);
        r.target = head.substr(sp1 + 1, head.find(' ', sp1 + 1) - sp1 - 1);
        r.authorization = header(head, "authorization");
        vigie::decode_basic_authorization(r.authorization, r.basic_user, r.basic_password);
        r.accept = header(head, "accept");
        r.content_type = header(head, "content-type");
        r.body = in.substr(head_end + 4);
        ++requests_;
        write_answer(c, answer_(r));
        ::close(c);
    }
    static void write_answer(int c, const vigie::HttpAnswer& a) {
        std::string out = "HTTP/1.1 ";
        out += std::to_string(a.status);
        out += " X\r\nContent-Type: ";
        out += a.content_type;
        out += "\r\nContent-Length: ";
        out += std::to_string(a.body.size());
        out += "\r\nConnection: close\r\n";
        if (a.retry_after_seconds > 0)
            out += "Retry-After: " + std::to_string(a.retry_after_seconds) + "\r\n";
        for (const auto& [k, v] : a.headers) {
            out += k;
            out += ": ";
            out += v;
            out += "\r\n";
        }
        out += "\r\n";
        out += a.body;
        for (size_t sent = 0; sent < out.size();) {
            const ssize_t n = ::send(c, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) return;
            sent += static_cast<size_t>(n);
        }
    }

    Answer answer_;
    int fd_ = -1;
    uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> requests_{0};
    std::thread thread_;
};

}  // namespace taxii_test
