// SPDX-License-Identifier: EUPL-1.2
// The syslog forwarder against a TCP collector in the test: RFC 5424 messages framed by
// octet counting (RFC 6587), PRI from the facility and the level, and a reconnection
// when the collector closed the connection.
#include "delivery/outputs/syslog_forwarder.hpp"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <regex>
#include <thread>

#include "tests/outputs/output_test_support.hpp"

using namespace vigie;
using namespace vigie::test;

namespace {

// Accepts connections one after the other and splits what it reads into octet-counted
// frames; closes each connection after `frames_per_connection` frames (0: never).
class Collector {
  public:
    explicit Collector(size_t frames_per_connection = 0) : per_connection_(frames_per_connection) {
        listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        REQUIRE(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        REQUIRE(::listen(listen_fd_, 4) == 0);
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port = ntohs(a.sin_port);
        thread_ = std::thread([this] { run(); });
    }
    ~Collector() {
        ::shutdown(listen_fd_, SHUT_RDWR);
        ::close(listen_fd_);
        thread_.join();
    }
    std::vector<std::string> frames() {
        std::lock_guard lock(mutex_);
        return frames_;
    }
    std::atomic<int> connections{0};
    std::atomic<int> closed{0};  // connections this side has closed
    int port = 0;

  private:
    void run() {
        for (;;) {
            const int fd = ::accept(listen_fd_, nullptr, nullptr);
            if (fd < 0) return;
            ++connections;
            serve(fd);
            ::close(fd);
            ++closed;
        }
    }
    void serve(int fd) {
        std::string buffer;
        size_t taken = 0;
        char chunk[4096];
        for (ssize_t n; (n = ::read(fd, chunk, sizeof chunk)) > 0;) {
            buffer.append(chunk, static_cast<size_t>(n));
            for (size_t space; (space = buffer.find(' ')) != std::string::npos;) {
                const size_t length = std::stoul(buffer.substr(0, space));
                if (buffer.size() < space + 1 + length) break;
                {
                    std::lock_guard lock(mutex_);
                    frames_.push_back(buffer.substr(space + 1, length));
                }
                buffer.erase(0, space + 1 + length);
                if (per_connection_ && ++taken == per_connection_) return;
            }
        }
    }
    size_t per_connection_;
    int listen_fd_ = -1;
    std::thread thread_;
    std::mutex mutex_;
    std::vector<std::string> frames_;
};

SyslogOutputSettings settings_for(int port) {
    SyslogOutputSettings s;
    s.address = "127.0.0.1:" + std::to_string(port);
    s.facility = 10;
    s.app_name = "vigie";
    s.hostname = "site-a";
    return s;
}

}  // namespace

TEST_CASE("syslog: RFC 5424 frames with octet counting and PRI from the level") {
    Collector collector;
    SyslogForwarder forwarder("siem", settings_for(collector.port));
    AlertBatch batch;
    const Level levels[] = {Level::Critical, Level::High, Level::Medium, Level::Low,
                            Level::Informational};
    for (int i = 0; i < 5; ++i)
        batch.records.push_back(alert_record("u" + std::to_string(i), "demo", levels[i]));
    parse_records(batch);
    const DeliveryResult r = forwarder.deliver(batch.alerts);
    REQUIRE_MESSAGE(r.delivered, r.error);
    CHECK(forwarder.connected());
    REQUIRE(eventually([&] { return collector.frames().size() == 5; }, 10));
    const std::regex rfc5424(R"(^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) - (.*)$)");
    const int severities[] = {2, 3, 4, 5, 6};
    const auto frames = collector.frames();
    for (int i = 0; i < 5; ++i) {
        std::smatch m;
        REQUIRE_MESSAGE(std::regex_match(frames[i], m, rfc5424), frames[i]);
        CHECK(std::stoi(m[1]) == 10 * 8 + severities[i]);
        CHECK(m[2] == "2023-11-14T22:13:20.123Z");
        CHECK(m[3] == "site-a");
        CHECK(m[4] == "vigie");
        CHECK(m[5] == std::to_string(::getpid()));
        CHECK(m[6] == "alert");
        CHECK(m[7].str() == std::string(batch.alerts[i].line));
    }
}

TEST_CASE("syslog: a closed connection is opened again, a refused one is a retryable error") {
    AlertBatch batch = make_alerts("s", 4);
    {
        Collector collector(2);  // closes after the two frames of each batch
        SyslogForwarder forwarder("siem", settings_for(collector.port));
        const std::span<const ForwardedAlert> all(batch.alerts);
        REQUIRE(forwarder.deliver(all.first(2)).delivered);
        REQUIRE(eventually([&] { return collector.frames().size() == 2; }, 10));
        // The collector's close() returned: on loopback its FIN is already in the
        // forwarder's socket, which the next deliver() checks before writing.
        REQUIRE(eventually([&] { return collector.closed == 1; }, 10));
        REQUIRE(forwarder.deliver(all.subspan(2)).delivered);
        REQUIRE(eventually([&] { return collector.frames().size() == 4; }, 10));
        CHECK(collector.connections == 2);
    }
    SyslogForwarder nobody("siem", settings_for(free_loopback_port()));
    const DeliveryResult r = nobody.deliver(batch.alerts);
    CHECK_FALSE(r.delivered);
    CHECK(r.retryable);
    CHECK(r.error.find("connect") != std::string::npos);
    CHECK_FALSE(nobody.connected());
    CHECK_THROWS(SyslogForwarder("bad", SyslogOutputSettings{"no-port", 10, "vigie", ""}));
}
