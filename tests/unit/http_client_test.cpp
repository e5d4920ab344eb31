// SPDX-License-Identifier: EUPL-1.2
// The one HTTP client (core/http_client.hpp) against a real server on loopback
// (tests/unit/http_client_server.py, Python's http.server, started here on a port the
// kernel picks): the bound on the body, the timeout, a non-2xx answer, the interrupt flag,
// the methods and credentials, the kept-alive connection, redirects not followed.
#include "core/http_client.hpp"

#include <doctest/doctest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <limits>
#include <string>
#include <thread>

using namespace vigie;

namespace {

using Clock = std::chrono::steady_clock;

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// tests/unit/http_client_server.py in a child process that prints its port on a pipe;
// stopped (SIGTERM) and reaped when the object goes.
class TestServer {
  public:
    TestServer() {
        int out[2];
        REQUIRE(::pipe(out) == 0);
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            ::dup2(out[1], STDOUT_FILENO);
            ::close(out[0]);
            ::close(out[1]);
            ::execlp("python3", "python3", VIGIE_SOURCE_DIR "/tests/unit/http_client_server.py",
                     static_cast<char*>(nullptr));
            ::_exit(127);
        }
        ::close(out[1]);
        const std::string port = read_line(out[0], std::chrono::seconds(15));
        ::close(out[0]);
        if (port.empty()) stop();  // REQUIRE throws: the destructor would not run
        REQUIRE_MESSAGE(!port.empty(), "the test server printed no port");
        base_ = "http://127.0.0.1:" + port;
    }
    ~TestServer() { stop(); }
    TestServer(const TestServer&) = delete;
    TestServer& operator=(const TestServer&) = delete;

    [[nodiscard]] std::string url(const std::string& path) const { return base_ + path; }

  private:
    void stop() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGTERM);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }

    // The first line written to `fd`, "" when none came within `wait`.
    static std::string read_line(int fd, std::chrono::seconds wait) {
        std::string line;
        const auto give_up = Clock::now() + wait;
        while (Clock::now() < give_up) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) continue;
            char c = 0;
            if (::read(fd, &c, 1) != 1) break;
            if (c == '\n') return line;
            line += c;
        }
        return {};
    }

    pid_t pid_ = -1;
    std::string base_;
};

HttpClientRequest get(const std::string& url) {
    HttpClientRequest r;
    r.url = url;
    r.timeout_ms = 10'000;
    return r;
}

}  // namespace

TEST_CASE("http client: a body within the bound is read, one over it is not") {
    TestServer server;
    HttpClient client;
    HttpClientRequest request = get(server.url("/bytes/1000"));
    request.max_response_bytes = 1000;
    Result<HttpClientResponse> answer = client.perform(request);
    REQUIRE_MESSAGE(answer.ok(), answer.error().message);
    CHECK(answer->status == 200);
    CHECK(answer->body == std::string(1000, 'x'));

    request.url = server.url("/bytes/1001");
    answer = client.perform(request);
    REQUIRE_FALSE(answer.ok());
    CHECK(client.last_failure() == HttpFailure::too_large);
    CHECK(answer.error().message == "the response is over 1000 bytes; reading aborted");

    // Kept, not bounded: the whole body is read, its start kept (for a log line).
    request.max_response_bytes = std::numeric_limits<size_t>::max();
    request.kept_response_bytes = 10;
    answer = client.perform(request);
    REQUIRE(answer.ok());
    CHECK(answer->body == std::string(10, 'x'));
    CHECK(client.last_failure() == HttpFailure::none);
}

TEST_CASE("http client: a server that stalls is a timeout, in libcurl's words") {
    TestServer server;
    HttpClient client;
    HttpClientRequest request = get(server.url("/slow"));
    request.timeout_ms = 300;
    const auto start = Clock::now();
    const Result<HttpClientResponse> answer = client.perform(request);
    const auto took = Clock::now() - start;
    REQUIRE_FALSE(answer.ok());
    CHECK(client.last_failure() == HttpFailure::transport);
    CHECK(client.last_failure_summary() == "Timeout was reached");
    CHECK(has(answer.error().message, "timed out"));
    CHECK(took < std::chrono::seconds(5));
}

TEST_CASE("http client: a non-2xx status is an answer, with its body and headers") {
    TestServer server;
    HttpClient client;
    HttpClientRequest request = get(server.url("/status/503"));
    request.wanted_headers = {"x-extra", "Content-Length", "X-Absent"};
    const Result<HttpClientResponse> answer = client.perform(request);
    REQUIRE_MESSAGE(answer.ok(), answer.error().message);
    CHECK(answer->status == 503);
    CHECK(answer->body == "busy\nnow");
    CHECK(answer->retry_after_seconds == 2);
    CHECK(answer->header("X-Extra") == "yes");
    CHECK(answer->header("content-length") == "8");
    CHECK(answer->header("X-Absent").empty());

    // Redirects are never followed: the credentials would go along.
    const Result<HttpClientResponse> moved = client.perform(get(server.url("/redirect")));
    REQUIRE(moved.ok());
    CHECK(moved->status == 302);
}

TEST_CASE("http client: the interrupt flag aborts a transfer in progress") {
    TestServer server;
    HttpClient client;
    std::atomic<bool> interrupt{false};
    HttpClientRequest request = get(server.url("/slow"));
    request.timeout_ms = 60'000;
    request.interrupt = &interrupt;
    std::thread raise([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        interrupt.store(true);
    });
    const auto start = Clock::now();
    const Result<HttpClientResponse> answer = client.perform(request);
    const auto took = Clock::now() - start;
    raise.join();
    REQUIRE_FALSE(answer.ok());
    CHECK(client.last_failure() == HttpFailure::interrupted);
    CHECK(answer.error().message == "interrupted");
    CHECK(took < std::chrono::seconds(10));  // libcurl looks at the flag about once a second

    // Raised before: nothing is sent.
    const Result<HttpClientResponse> again = client.perform(request);
    CHECK(client.last_failure() == HttpFailure::interrupted);
    CHECK_FALSE(again.ok());
}

TEST_CASE("http client: POST and PUT bodies, credentials, the connection kept alive") {
    TestServer server;
    HttpClient client;
    HttpClientRequest request = get(server.url("/echo"));
    request.method = "POST";
    request.body = "one";
    request.headers = {"Content-Type: text/plain"};
    request.bearer_token = "t0ken";
    Result<HttpClientResponse> first = client.perform(request);
    REQUIRE_MESSAGE(first.ok(), first.error().message);
    CHECK(has(first->body, R"("method": "POST")"));
    CHECK(has(first->body, R"("body": "one")"));
    CHECK(has(first->body, R"("authorization": "Bearer t0ken")"));
    CHECK(has(first->body, R"("content_type": "text/plain")"));

    request.method = "PUT";
    request.body = "two";
    request.basic_user = "alice";
    request.basic_password = "secret";
    Result<HttpClientResponse> second = client.perform(request);
    REQUIRE(second.ok());
    CHECK(has(second->body, R"("method": "PUT")"));
    CHECK(has(second->body, R"("body": "two")"));
    CHECK(has(second->body, R"("authorization": "Basic YWxpY2U6c2VjcmV0")"));  // over bearer
    // The same client port: the second exchange went over the first one's connection.
    const auto port = [](const std::string& body) { return body.substr(body.find("\"port\"")); };
    CHECK(port(first->body) == port(second->body));
}

TEST_CASE("http client: nothing listening is a transport failure") {
    std::string url;
    {
        TestServer gone;
        url = gone.url("/bytes/1");
    }
    HttpClient client;
    const Result<HttpClientResponse> answer = client.perform(get(url));
    REQUIRE_FALSE(answer.ok());
    CHECK(client.last_failure() == HttpFailure::transport);
    CHECK(client.last_failure_summary() == "Couldn't connect to server");
    CHECK(has(answer.error().message, "127.0.0.1"));
}
