// SPDX-License-Identifier: EUPL-1.2
// The serve engine and the HTTP handler over it, without a network: jobs, answers,
// reloads while running, back-pressure (503) and draining, auth and limits.
#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>

#include "core/token_digest.hpp"
#include "delivery/outputs/alert_delivery.hpp"
#include "delivery/spool/alert_spool.hpp"
#include "pipeline/alerts/alert_format.hpp"
#include "pipeline/engine/ingest_engine.hpp"
#include "service/http/ingest_handler.hpp"
#include "tests/support/sigma_harness.hpp"

namespace vigie {

namespace {

std::string rule(const std::string& id, const std::string& needle) {
    return "title: t\nid: " + id +
           "\nlevel: high\nlogsource: {product: p}\ndetection:\n  sel:\n"
           "    cmd|contains: " +
           needle + "\n  condition: sel\n";
}

// Keeps alerts in memory; while `hold` is set, writes wait (a slow alert output), so a
// test can fill the queue deterministically.
class HeldSink final : public TextAlertSink {
  public:
    Status write(std::string_view alerts) override {
        std::unique_lock lock(mutex_);
        ++held_writes_;
        cv_.notify_all();
        cv_.wait(lock, [&] { return !hold_; });
        text_ += alerts;
        return {};
    }
    // Until a job is blocked in write(): its alerts are made, so its rules were chosen.
    void wait_for_held_write() {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] { return held_writes_ > 0; });
    }
    void flush() override {}
    void hold(bool on) {
        {
            std::lock_guard lock(mutex_);
            hold_ = on;
        }
        cv_.notify_all();
    }
    std::string text() {
        std::lock_guard lock(mutex_);
        return text_;
    }

  private:
    std::mutex mutex_;
    std::condition_variable cv_;
    bool hold_ = false;
    int held_writes_ = 0;
    std::string text_;
};

// In front of the sink the workers share: a write that failed returns only once `parties`
// writes have failed, so every job has met its failure before any job reads its answer.
// With the failure kept in the shared sink and read after write() (the old AlertSink), all
// of them would read the last one.
class RendezvousSink final : public AlertSink {
  public:
    RendezvousSink(AlertSink& inner, int parties) : inner_(inner), parties_(parties) {}
    Status write(std::span<const AlertRecord> alerts) override {
        Status written = inner_.write(alerts);
        if (written) return written;
        std::unique_lock lock(mutex_);
        ++failed_;
        met_.notify_all();
        met_.wait_for(lock, std::chrono::seconds(10), [&] { return failed_ >= parties_; });
        return written;
    }
    void flush() override { inner_.flush(); }

  private:
    AlertSink& inner_;
    const int parties_;
    std::mutex mutex_;
    std::condition_variable met_;
    int failed_ = 0;
};

IngestResult run(IngestEngine& engine, std::string agency, std::string body) {
    std::promise<IngestResult> done;
    auto answer = done.get_future();
    IngestJob job{std::move(agency), "http", std::move(body),
                  [&done](IngestResult&& r) { done.set_value(std::move(r)); }};
    REQUIRE(engine.submit(std::move(job)) == IngestEngine::Submit::Queued);
    return answer.get();
}

}  // namespace

TEST_CASE("an ingest job answers accepted events, rejected lines and alerts, with its agency") {
    test::SigmaHarness rules(rule("r1", "whoami"));
    JsonlAlertFormat format;
    HeldSink sink;
    IngestEngine engine(rules.ruleset(), format, sink, {2, 4});
    IngestResult r =
        run(engine, "demo", "{\"cmd\":\"whoami\"}\n{\"cmd\":,}\n7\n{\"cmd\":\"ls\"}\n");
    CHECK(r.accepted == 2);
    CHECK(r.alerts == 1);
    REQUIRE(r.rejected.size() == 2);
    CHECK(r.rejected[0].line == 2);
    CHECK(r.rejected[1].line == 3);
    CHECK(r.rejected[1].error == "document is not a JSON object");
    CHECK(sink.text().find(R"("agency":"demo")") != std::string::npos);
    CHECK(sink.text().find(R"("source":{"file":"http","index":0,"line":1})") != std::string::npos);
    CHECK(ingest_answer_json(r).starts_with(R"({"accepted":2,"rejected":[{"line":2,"error":)"));
}

TEST_CASE("a reload applies to the next job, a job already running keeps its rules") {
    test::SigmaHarness old_rules(rule("old", "whoami"));
    test::SigmaHarness new_rules(rule("new", "whoami"));
    JsonlAlertFormat format;
    HeldSink sink;
    IngestEngine engine(old_rules.ruleset(), format, sink, {1, 4});
    sink.hold(true);  // the first job stops at its alert write, its rules already chosen
    std::promise<IngestResult> first;
    auto first_done = first.get_future();
    REQUIRE(engine.submit({"demo", "http", "{\"cmd\":\"whoami\"}\n", [&](IngestResult&& r) {
                               first.set_value(std::move(r));
                           }}) == IngestEngine::Submit::Queued);
    // Not queued()==0: the worker dequeues the job before it picks its rules, so a swap
    // then could still reach it. Blocked in the sink, its rules are chosen and used.
    sink.wait_for_held_write();
    engine.replace_ruleset(new_rules.ruleset());
    sink.hold(false);
    CHECK(first_done.get().alerts == 1);
    CHECK(run(engine, "demo", "{\"cmd\":\"whoami\"}\n").alerts == 1);
    const std::string text = sink.text();
    const size_t old_at = text.find(R"("id":"old")");
    const size_t new_at = text.find(R"("id":"new")");
    REQUIRE(old_at != std::string::npos);
    REQUIRE(new_at != std::string::npos);
    CHECK(old_at < new_at);
}

TEST_CASE("the HTTP handler: 503 with Retry-After while the queue is full, then while draining") {
    test::SigmaHarness rules(rule("r1", "whoami"));
    JsonlAlertFormat format;
    HeldSink sink;
    IngestEngine engine(rules.ruleset(), format, sink, {1, 1});
    Agency demo{"demo", sha256_hex("tok"), {1e6, 1e6}};
    AgencyRegistry agencies({demo});
    Logger log(LogFormat::Json, LogLevel::Error);
    HttpSettings settings;
    IngestHandler handler(engine, agencies, settings, log);
    auto request = [] {
        HttpRequest r;
        r.method = "POST";
        r.target = "/v1/events";
        r.authorization = "Bearer tok";
        r.body = "{\"cmd\":\"whoami\"}\n";
        return r;
    };
    std::vector<std::promise<HttpAnswer>> answers(3);
    sink.hold(true);
    auto send = [&](std::promise<HttpAnswer>& a) {
        handler.handle(request(), [&a](HttpAnswer&& x) { a.set_value(std::move(x)); });
    };
    send(answers[0]);
    while (engine.queued() != 0) std::this_thread::yield();  // the worker has taken it
    send(answers[1]);
    send(answers[2]);
    // One job runs (held at its alert write), one waits in the queue, the third is refused.
    HttpAnswer refused = answers[2].get_future().get();
    CHECK(refused.status == 503);
    CHECK(refused.retry_after_seconds == 1);
    sink.hold(false);
    CHECK(answers[0].get_future().get().status == 200);
    HttpAnswer second = answers[1].get_future().get();
    CHECK(second.status == 200);
    CHECK(second.body == R"({"accepted":1,"rejected":[],"alerts":1})");
    handler.start_draining();
    std::promise<HttpAnswer> late;
    handler.handle(request(), [&late](HttpAnswer&& x) { late.set_value(std::move(x)); });
    HttpAnswer draining = late.get_future().get();
    CHECK(draining.status == 503);
    CHECK(draining.retry_after_seconds == 5);
}

TEST_CASE("the HTTP handler refuses what it cannot take, with the status the issue names") {
    test::SigmaHarness rules(rule("r1", "whoami"));
    JsonlAlertFormat format;
    HeldSink sink;
    IngestEngine engine(rules.ruleset(), format, sink, {0, 1});  // jobs run inline
    AgencyRegistry agencies({Agency{"demo", sha256_hex("tok"), {1, 3}}}, sha256_hex("adm"));
    Logger log(LogFormat::Json, LogLevel::Error);
    HttpSettings settings;
    settings.max_event_bytes = 64;
    IngestHandler handler(engine, agencies, settings, log);
    auto answer = [&](std::string method, std::string target, std::string auth, std::string body,
                      std::string type = {}, std::string encoding = {}) {
        HttpRequest r{std::move(method), std::move(target),   "", std::move(auth),
                      std::move(type),   std::move(encoding), "", "",
                      std::move(body)};
        HttpAnswer out;
        handler.handle(std::move(r), [&out](HttpAnswer&& a) { out = std::move(a); });
        return out;
    };
    const std::string one = "{\"cmd\":\"whoami\"}\n";
    CHECK(answer("GET", "/healthz", "", "").status == 200);
    CHECK(answer("GET", "/readyz", "", "").status == 200);
    CHECK(answer("GET", "/nope", "", "").status == 404);
    CHECK(answer("HEAD", "/healthz", "", "").status == 404);  // answers here have bodies
    CHECK(answer("GET", "/v1/events", "", "").status == 405);
    HttpAnswer no_token = answer("POST", "/v1/events", "", one);
    CHECK(no_token.status == 401);
    CHECK(no_token.www_authenticate);
    CHECK(answer("POST", "/v1/events", "Bearer nope", one).status == 401);
    CHECK(answer("POST", "/v1/events", "Basic dG9rOg==", one).status == 401);
    CHECK(answer("POST", "/v1/events", "Bearer tok", one, "text/html").status == 415);
    CHECK(answer("POST", "/v1/events", "Bearer tok", one, "", "br").status == 415);
    CHECK(answer("POST", "/v1/events", "Bearer tok", "not gzip", "", "gzip").status == 400);
    CHECK(answer("POST", "/v1/events", "Bearer tok",
                 one + "{\"cmd\":\"" + std::string(80, 'x') + "\"}\n")
              .status == 413);
    CHECK(answer("POST", "/v1/events", "Bearer tok", one + one + one + one).status ==
          413);  // > burst 3
    CHECK(answer("POST", "/v1/events", "bearer  tok ", one + one,
                 "application/x-ndjson; charset=utf-8")
              .status == 200);
    HttpAnswer limited = answer("POST", "/v1/events", "Bearer tok", one + one);  // 1 token left
    CHECK(limited.status == 429);
    CHECK(limited.retry_after_seconds == 1);
    CHECK(answer("POST", "/v1/admin/reload", "Bearer tok", "").status == 401);
    CHECK(answer("POST", "/v1/admin/reload", "Bearer adm", "").status == 501);  // no reloader here
    CHECK(handler.counters().unauthorized == 4);
    CHECK(handler.counters().rate_limited == 1);
}

TEST_CASE("two workers over one small spool: each job is answered with its own failure") {
    // Job A meets the spool full (503: retry later); job B's alerts alone are more than
    // the whole spool (413: never resend). Both fail before either is answered.
    const auto dir = std::filesystem::temp_directory_path() / "vigie-serve-engine-own-failure";
    std::filesystem::remove_all(dir);
    {
        SpoolSettings settings;
        settings.directory = dir.string();
        settings.max_bytes = 2048;
        settings.segment_bytes = 1 << 20;
        auto spool = AlertSpool::open(settings, {"hub"});
        for (size_t size = 1024; size > 0; size /= 2) {  // full: not even one byte more fits
            const std::string filler(size, 'f');
            const std::string_view one[] = {filler};
            while (spool->append(one) == AppendStatus::Stored) {
            }
        }
        REQUIRE(spool->stats().full);
        AlertDelivery delivery({}, spool.get());
        RendezvousSink sink(delivery, 2);
        test::SigmaHarness rules(rule("r1", "whoami"));
        JsonlAlertFormat format;
        IngestEngine engine(rules.ruleset(), format, sink, {2, 4});
        AgencyRegistry agencies({Agency{"demo", sha256_hex("tok"), {1e6, 1e6}}});
        Logger log(LogFormat::Json, LogLevel::Error);
        HttpSettings http;
        IngestHandler handler(engine, agencies, http, log);
        auto post = [&](std::string body, std::promise<HttpAnswer>& answer) {
            HttpRequest r;
            r.method = "POST";
            r.target = "/v1/events";
            r.authorization = "Bearer tok";
            r.body = std::move(body);
            handler.handle(std::move(r),
                           [&answer](HttpAnswer&& a) { answer.set_value(std::move(a)); });
        };
        const std::string event = "{\"cmd\":\"whoami\"}\n";
        std::string large;
        for (int i = 0; i < 40; ++i) large += event;  // 40 alerts, far over 2048 bytes
        std::promise<HttpAnswer> a_answer;
        std::promise<HttpAnswer> b_answer;
        post(event, a_answer);
        post(large, b_answer);
        const HttpAnswer a = a_answer.get_future().get();
        const HttpAnswer b = b_answer.get_future().get();
        CHECK(a.status == 503);
        CHECK(a.retry_after_seconds == 5);
        CHECK(a.body.find("alert spool full (2048 bytes)") != std::string::npos);
        CHECK(a.body.find("more than the whole alert spool") == std::string::npos);
        CHECK(b.status == 413);
        CHECK(b.body.find("40 alerts (") != std::string::npos);
        CHECK(b.body.find("are more than the whole alert spool holds") != std::string::npos);
        CHECK(handler.counters().overloaded == 1);
        CHECK(handler.counters().too_large == 1);
    }  // the engine, then the spool, closed
    std::filesystem::remove_all(dir);
}

}  // namespace vigie
