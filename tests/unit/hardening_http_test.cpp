// SPDX-License-Identifier: EUPL-1.2
// Hardening items 6, 12, 14 and 16 at the handler, without a network: what the listener's
// header stage (IngestHandler::admit) lets through to a body read, the transfer codings it
// refuses, credentials in query strings kept out of request lines, and the answer and the
// counts when a job's alerts can never be stored. The listener itself is tested end to end
// in tests/hardening (item06_*, item07_*, item08_*).
#include <doctest/doctest.h>

#include <filesystem>
#include <future>

#include "app/config/config_reader.hpp"
#include "core/token_digest.hpp"
#include "delivery/spool/alert_spool.hpp"
#include "pipeline/alerts/alert_format.hpp"
#include "pipeline/engine/ingest_engine.hpp"
#include "service/http/ingest_handler.hpp"
#include "tests/support/sigma_harness.hpp"

namespace vigie {

namespace {

const std::string kRule =
    "title: t\nid: r1\nlevel: high\nlogsource: {product: p}\ndetection:\n  sel:\n"
    "    cmd|contains: whoami\n  condition: sel\n";

// An alert sink that refuses every write, for good or not, like a spool too small for a
// job's alerts or a full one.
class RefusingSink final : public TextAlertSink {
  public:
    explicit RefusingSink(bool for_good) : for_good_(for_good) {}
    Status write(std::string_view) override {
        if (for_good_)
            return Error{"3 alerts (900 bytes) are more than the whole alert spool holds",
                         {},
                         ErrorKind::Refused};
        return Error{"alert spool full"};
    }
    void flush() override {}

  private:
    bool for_good_;
};

class NullSink final : public TextAlertSink {
  public:
    Status write(std::string_view) override { return {}; }
    void flush() override {}
};

HttpRequest head(std::string method, std::string target, std::string authorization = {}) {
    HttpRequest r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.request_line = r.method + " " + redact_target(r.target);
    r.authorization = std::move(authorization);
    return r;
}

struct Fixture {
    explicit Fixture(AlertSink& sink, ExtraRoutes extra = {})
        : engine(rules.ruleset(), format, sink, {0, 4}),
          handler(engine, agencies, settings, log, {}, std::move(extra)) {}
    test::SigmaHarness rules{kRule};
    JsonlAlertFormat format;
    AgencyRegistry agencies{{Agency{"demo", sha256_hex("tok"), {1e6, 1e6}}}, sha256_hex("adm")};
    Logger log{LogFormat::Json, LogLevel::Error};
    HttpSettings settings;
    IngestEngine engine;
    IngestHandler handler;

    HttpAnswer post(std::string body) {
        HttpRequest r = head("POST", "/v1/events", "Bearer tok");
        r.body = std::move(body);
        std::promise<HttpAnswer> answer;
        handler.handle(std::move(r), [&](HttpAnswer&& a) { answer.set_value(std::move(a)); });
        return answer.get_future().get();
    }
};

}  // namespace

TEST_CASE("hardening 6: no body is read before the credentials are checked on the header") {
    NullSink sink;
    ExtraRoutes taxii{[](std::string_view path) { return path.starts_with("/taxii2/"); },
                      [](const HttpRequest&) {
                          return HttpAnswer{200, "{}"};
                      },
                      [](const HttpRequest& h) -> std::optional<HttpAnswer> {
                          if (h.authorization == "Basic good") return std::nullopt;
                          return error_answer(401, "taxii: who are you");
                      }};
    Fixture f(sink, std::move(taxii));

    Admission a = f.handler.admit(head("POST", "/v1/events"), true);
    REQUIRE(a.refusal);
    CHECK(a.refusal->status == 401);
    CHECK(a.refusal->www_authenticate);
    a = f.handler.admit(head("POST", "/v1/events", "Bearer wrong"), true);
    REQUIRE(a.refusal);
    CHECK(a.refusal->status == 401);
    a = f.handler.admit(head("POST", "/v1/events", "Bearer tok"), true);
    CHECK_FALSE(a.refusal);
    CHECK(a.authenticated);
    CHECK(a.lane == RequestLane::Ingest);

    a = f.handler.admit(head("POST", "/v1/admin/reload", "Bearer tok"), true);
    REQUIRE(a.refusal);
    CHECK(a.refusal->status == 401);
    a = f.handler.admit(head("POST", "/v1/admin/reload", "Bearer adm"), false);
    CHECK_FALSE(a.refusal);
    CHECK(a.lane == RequestLane::Other);

    a = f.handler.admit(head("POST", "/taxii2/", "Basic bad"), true);
    REQUIRE(a.refusal);
    CHECK(a.refusal->body.find("taxii: who are you") != std::string::npos);
    a = f.handler.admit(head("POST", "/taxii2/", "Basic good"), true);
    CHECK_FALSE(a.refusal);
    CHECK(a.authenticated);
    CHECK(a.lane == RequestLane::Other);

    // No credential, no body: health probes and unknown paths may not make vigie read one.
    a = f.handler.admit(head("GET", "/healthz"), false);
    CHECK_FALSE(a.refusal);
    CHECK_FALSE(a.authenticated);
    CHECK(a.lane == RequestLane::Inline);
    a = f.handler.admit(head("POST", "/healthz"), true);
    REQUIRE(a.refusal);
    CHECK(a.refusal->status == 413);
    a = f.handler.admit(head("PUT", "/nope"), true);
    REQUIRE(a.refusal);
    CHECK(a.refusal->status == 413);
    a = f.handler.admit(head("GET", "/v1/events", "Bearer tok"), false);
    REQUIRE(a.refusal);
    CHECK(a.refusal->status == 405);

    // Every refusal counted as a request, the bad credentials as unauthorized.
    CHECK(f.handler.counters().requests == 7);
    CHECK(f.handler.counters().unauthorized == 4);
}

TEST_CASE("hardening 14: a transfer coding other than chunked is refused with 501") {
    NullSink sink;
    Fixture f(sink);
    for (const char* coding : {"gzip, chunked", "gzip", "deflate,chunked", "chunked, chunked"}) {
        HttpRequest r = head("POST", "/v1/events", "Bearer tok");
        r.transfer_encoding = coding;
        Admission a = f.handler.admit(r, true);
        REQUIRE(a.refusal);
        CHECK(a.refusal->status == 501);
        CHECK(a.refusal->body.find("not supported (chunked only") != std::string::npos);
    }
    HttpRequest chunked = head("POST", "/v1/events", "Bearer tok");
    chunked.transfer_encoding = "Chunked";
    CHECK_FALSE(f.handler.admit(chunked, true).refusal);
    // handle() refuses it on its own too (the fuzz target calls it without admit).
    HttpRequest r = head("POST", "/v1/events", "Bearer tok");
    r.transfer_encoding = "gzip, chunked";
    r.body = "{\"cmd\":\"x\"}\n";
    std::promise<HttpAnswer> answer;
    f.handler.handle(std::move(r), [&](HttpAnswer&& a) { answer.set_value(std::move(a)); });
    CHECK(answer.get_future().get().status == 501);
}

TEST_CASE("hardening 14: credentials in a query string never reach a request line") {
    CHECK(redact_target("/v1/events") == "/v1/events");
    CHECK(redact_target("/v1/events?token=abc") == "/v1/events?token=REDACTED");
    CHECK(redact_target("/a?x=1&access_token=abc&y=2") == "/a?x=1&access_token=REDACTED&y=2");
    CHECK(redact_target("/a?API_KEY=abc&Password=p&sig=s&session=1&auth=q") ==
          "/a?API_KEY=REDACTED&Password=REDACTED&sig=REDACTED&session=REDACTED&auth=REDACTED");
    CHECK(redact_target("/api1/collections/c/objects/?added_after=2024&match[type]=indicator") ==
          "/api1/collections/c/objects/?added_after=2024&match[type]=indicator");
    CHECK(redact_target("/a?token") == "/a?token");  // no value: nothing to hide
    CHECK(redact_target("/a?") == "/a?");
}

TEST_CASE("hardening 12: alerts that can never be stored get 413 with the reason, counted") {
    RefusingSink sink(true);
    Fixture f(sink);
    HttpAnswer a = f.post("{\"cmd\":\"whoami\"}\n");
    CHECK(a.status == 413);
    CHECK(a.retry_after_seconds == 0);
    CHECK(a.body.find("more than the whole alert spool holds") != std::string::npos);
    CHECK(a.body.find("split the request") != std::string::npos);
    CHECK(f.handler.counters().too_large == 1);
    CHECK(f.handler.counters().overloaded == 0);
}

TEST_CASE("hardening 16: a 503 from a full spool is counted as overloaded") {
    RefusingSink sink(false);
    Fixture f(sink);
    HttpAnswer a = f.post("{\"cmd\":\"whoami\"}\n");
    CHECK(a.status == 503);
    CHECK(a.retry_after_seconds == 5);
    CHECK(f.handler.counters().overloaded == 1);
    CHECK(f.handler.counters().too_large == 0);
}

TEST_CASE("hardening 12: the spool tells records it can never hold from a full spool") {
    const auto dir = std::filesystem::temp_directory_path() / "vigie-hardening-12-spool";
    std::filesystem::remove_all(dir);
    SpoolSettings settings;
    settings.directory = dir.string();
    settings.max_bytes = 1000;
    settings.segment_bytes = 1 << 20;
    auto spool = AlertSpool::open(settings, {"hub"});
    const std::string huge(2000, 'x');
    const std::string_view one[] = {huge};
    CHECK(spool->append(one) == AppendStatus::TooLarge);
    CHECK_FALSE(spool->stats().full);  // an empty spool is not full
    const std::string small(40, 'y');
    const std::string_view fits[] = {small};
    CHECK(spool->append(fits) == AppendStatus::Stored);
    std::filesystem::remove_all(dir);
}

TEST_CASE("hardening 7: the connection deadlines and request pools are settings, with defaults") {
    Diagnostics diags;
    auto defaults = ConfigReader("vigie.yaml", diags).read("");
    REQUIRE(defaults);
    CHECK(defaults->http.header_timeout_seconds == 10);
    CHECK(defaults->http.idle_timeout_seconds == 5);
    CHECK(defaults->http.request_threads == 2);
    auto set = ConfigReader("vigie.yaml", diags)
                   .read(
                       "http: {header_timeout_seconds: 3, idle_timeout_seconds: 2, "
                       "request_threads: 4}\n");
    REQUIRE(set);
    CHECK(set->http.header_timeout_seconds == 3);
    CHECK(set->http.idle_timeout_seconds == 2);
    CHECK(set->http.request_threads == 4);
    Diagnostics bad;
    CHECK_FALSE(ConfigReader("vigie.yaml", bad).read("http: {idle_timeout_seconds: 0}\n"));
    REQUIRE(bad.size() == 1);
    CHECK(bad.front().format().find("http.idle_timeout_seconds must be a whole number from 1") !=
          std::string::npos);
}

}  // namespace vigie
