// SPDX-License-Identifier: EUPL-1.2
// The webhook forwarder against tests/outputs/webhook_receiver.py (Python's http.server
// on a loopback port): signed JSON batches, 503 with Retry-After, a dropped connection
// and a 4xx are failures to retry, then delivery; the loop backs off and commits.
#include "delivery/outputs/webhook_forwarder.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>
#include <thread>

#include "delivery/outputs/forwarding_loop.hpp"
#include "delivery/outputs/webhook_signature.hpp"
#include "tests/outputs/output_test_support.hpp"

using namespace vigie;
using namespace vigie::test;

namespace {

constexpr const char* kSecretEnv = "VIGIE_TEST_WEBHOOK_SECRET";

class Receiver {
  public:
    explicit Receiver(const std::string& plan, const std::string& retry_after = "")
        : log_(dir_.path + "/requests.ndjson") {
        const std::string port_file = dir_.path + "/port";
        process_ = std::make_unique<ChildProcess>(std::vector<std::string>{
            // VIGIE_SOURCE_DIR "/tests/..." joins two literals into one path on purpose.
            // NOLINTNEXTLINE(bugprone-suspicious-missing-comma)
            "python3", VIGIE_SOURCE_DIR "/tests/outputs/webhook_receiver.py", "--port-file",
            port_file, "--log", log_, "--secret", "s3cret", "--plan", plan, "--retry-after",
            retry_after});
        REQUIRE(eventually([&] { return std::filesystem::exists(port_file); }, 15));
        url = "http://127.0.0.1:" + read_text(port_file) + "/v1/alerts";
    }
    // The receiver's records, one JSON line per request.
    std::vector<std::string> requests() const {
        std::vector<std::string> lines;
        std::istringstream in(read_text(log_));
        for (std::string line; std::getline(in, line);) lines.push_back(line);
        return lines;
    }
    std::string url;

  private:
    TempDir dir_;
    std::string log_;
    std::unique_ptr<ChildProcess> process_;
};

WebhookOutputSettings settings_for(const Receiver& receiver) {
    ::setenv(kSecretEnv, "s3cret", 1);
    WebhookOutputSettings s;
    s.url = receiver.url;
    s.secret_env = kSecretEnv;
    s.batch = 4;
    s.timeout_ms = 5000;
    s.retry_initial_ms = 100;
    s.retry_max_ms = 400;
    return s;
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("webhook: HMAC-SHA256 signature of timestamp.body") {
    // RFC 4231 test case 2, then the signed text layout.
    CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    CHECK(webhook_signature("Jefe", "what do ya want", " for nothing?").size() == 7 + 64);
    AlertBatch batch = make_alerts("b", 2);
    CHECK(webhook_body(batch.alerts) ==
          R"([{"uid":"b-0","agency":"demo"},{"uid":"b-1","agency":"demo"}])");
}

TEST_CASE("webhook: 503 with Retry-After and a dropped connection are retried, then 200") {
    Receiver receiver("503,drop", "1");
    WebhookForwarder forwarder("soc", settings_for(receiver));
    AlertBatch batch = make_alerts("w", 3);
    DeliveryResult r = forwarder.deliver(batch.alerts);
    CHECK_FALSE(r.delivered);
    CHECK(r.retryable);
    CHECK(has(r.error, "soc: POST " + receiver.url + ": HTTP 503"));
    REQUIRE(r.retry_after.has_value());
    CHECK(*r.retry_after == std::chrono::seconds(1));
    r = forwarder.deliver(batch.alerts);
    CHECK_FALSE(r.delivered);
    CHECK(r.retryable);
    CHECK(has(r.error, "soc: POST " + receiver.url));
    r = forwarder.deliver(batch.alerts);
    CHECK_MESSAGE(r.delivered, r.error);
    CHECK(forwarder.connected());
    const auto requests = receiver.requests();
    REQUIRE(requests.size() == 3);
    for (const std::string& request : requests) {
        CHECK(has(request, R"("signature_ok": true)"));
        CHECK(has(request, R"("content_type": "application/json")"));
        CHECK(has(request, R"("uids": ["w-0", "w-1", "w-2"])"));
    }
    CHECK(has(requests[2], R"("answer": "200")"));
}

TEST_CASE(
    "webhook: 400, 413, 422 refuse the alerts for good, other 4xx are failures marked "
    "likely permanent, a wrong secret too") {
    Receiver receiver("400,413,422,403");
    WebhookForwarder forwarder("soc", settings_for(receiver));
    AlertBatch batch = make_alerts("p", 1);
    DeliveryResult r;
    for (const char* status : {"HTTP 400", "HTTP 413", "HTTP 422"}) {
        r = forwarder.deliver(batch.alerts);
        CHECK_FALSE(r.delivered);
        CHECK(r.refused);  // the loop dead-letters them
        CHECK(has(r.error, status));
    }
    r = forwarder.deliver(batch.alerts);
    CHECK_FALSE(r.delivered);
    CHECK_FALSE(r.retryable);
    CHECK_FALSE(r.refused);  // the configuration, not the alert: retried
    CHECK(has(r.error, "HTTP 403"));
    CHECK(has(r.error, "likely permanent"));
    ::setenv("VIGIE_TEST_WRONG_SECRET", "not-the-secret", 1);
    WebhookOutputSettings wrong = settings_for(receiver);
    wrong.secret_env = "VIGIE_TEST_WRONG_SECRET";
    r = WebhookForwarder("soc", wrong).deliver(batch.alerts);
    CHECK(has(r.error, "HTTP 401"));
    CHECK_FALSE(r.retryable);
    CHECK(forwarder.deliver(batch.alerts).delivered);

    WebhookOutputSettings unset = wrong;
    unset.secret_env = "VIGIE_TEST_UNSET_SECRET";
    ::unsetenv("VIGIE_TEST_UNSET_SECRET");
    CHECK_THROWS_WITH_AS(WebhookForwarder("soc", unset),
                         doctest::Contains("VIGIE_TEST_UNSET_SECRET"), std::runtime_error);
}

TEST_CASE("webhook: nothing listening is a retryable connection error") {
    WebhookOutputSettings s;
    s.url = "http://127.0.0.1:" + std::to_string(free_loopback_port()) + "/x";
    WebhookForwarder forwarder("soc", s);
    AlertBatch batch = make_alerts("c", 1);
    const DeliveryResult r = forwarder.deliver(batch.alerts);
    CHECK_FALSE(r.delivered);
    CHECK(r.retryable);
    CHECK(has(r.error, "POST " + s.url));
    CHECK_FALSE(forwarder.connected());
}

TEST_CASE("backoff: full jitter under an exponential ceiling") {
    std::mt19937_64 random(42);
    RetryPolicy p{std::chrono::milliseconds(100), std::chrono::milliseconds(1000)};
    for (uint32_t failures = 1; failures < 40; ++failures) {
        const int64_t ceiling = std::min<int64_t>(1000, 100LL << std::min(failures - 1, 20u));
        for (int i = 0; i < 50; ++i) {
            const auto d = backoff_delay(p, failures, random);
            CHECK(d.count() >= 0);
            CHECK(d.count() <= ceiling);
        }
    }
}
