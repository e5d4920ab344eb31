// SPDX-License-Identifier: EUPL-1.2
// The metrics of vigie serve with real components: the engine and the HTTP handler count
// by agency, input and reason; ServeMetrics exposes them (a real exposer on a loopback
// port) with the rule label cap; a Pushgateway that cannot be reached is counted, not fatal.
#include <doctest/doctest.h>

#include <sstream>

#include "core/token_digest.hpp"
#include "metrics/metrics_pusher.hpp"
#include "metrics/serve_metrics.hpp"
#include "pipeline/alerts/alert_format.hpp"
#include "pipeline/engine/ingest_engine.hpp"
#include "service/http/ingest_handler.hpp"
#include "tests/support/sigma_harness.hpp"

namespace vigie {

namespace {

std::string rule(const std::string& id, const std::string& needle, const char* level = "high") {
    return "title: t\nid: " + id + "\nlevel: " + level +
           "\nlogsource: {product: p}\ndetection:\n  sel:\n    cmd|contains: " + needle +
           "\n  condition: sel\n";
}

class MemorySink final : public TextAlertSink {
  public:
    explicit MemorySink(bool fail = false) : fail_(fail) {}
    Status write(std::string_view alerts) override {
        text_ += alerts;
        if (fail_) return Error{"disk full"};
        return {};
    }
    void flush() override {}

  private:
    bool fail_;
    std::string text_;
};

// Runs one job on an inline engine (threads 0): counted once submit() returns.
IngestResult run(IngestEngine& engine, std::string agency, IngestInput input, std::string body) {
    IngestResult out;
    IngestJob job{std::move(agency), "test", std::move(body),
                  [&out](IngestResult&& r) { out = std::move(r); }, input};
    REQUIRE(engine.submit(std::move(job)) == IngestEngine::Submit::Queued);
    return out;
}

uint64_t rejected(const IngestFigures& f, const std::string& agency, IngestInput input,
                  RejectReason reason) {
    auto it = f.counts.find(IngestKey{agency, input});
    return it == f.counts.end() ? 0 : it->second.rejected[static_cast<size_t>(reason)];
}

// The value of one sample line ("name{labels} value") of an exposition; -1 when absent.
double sample(const std::string& exposition, const std::string& series) {
    std::istringstream in(exposition);
    for (std::string line; std::getline(in, line);) {
        if (line.compare(0, series.size() + 1, series + " ") == 0)
            return std::stod(line.substr(series.size() + 1));
    }
    return -1;
}

size_t series_count(const std::string& exposition, const std::string& prefix) {
    std::istringstream in(exposition);
    size_t n = 0;
    for (std::string line; std::getline(in, line);) n += line.rfind(prefix, 0) == 0 ? 1 : 0;
    return n;
}

}  // namespace

TEST_CASE("metrics.enabled false: the engine counts nothing, and still answers every job") {
    test::SigmaHarness rules(rule("r1", "whoami"));
    TableAlertFormat format;
    MemorySink sink;
    IngestEngineOptions options{0, 4, 64};
    options.count_figures = false;
    IngestEngine engine(rules.ruleset(), format, sink, options);
    const IngestResult r = run(engine, "a1", IngestInput::Http, "{\"cmd\":\"whoami\"}\n{,}\n");
    CHECK(r.accepted == 1);
    CHECK(r.alerts == 1);
    CHECK(r.rejected.size() == 1);
    const IngestFigures f = engine.figures();
    CHECK(f.counts.empty());
    CHECK(f.latency.count() == 0);
    CHECK(f.rule_matches.by_rule.empty());
    CHECK(engine.totals().alerts == 1);  // the totals of the "stopped" log line remain
}

TEST_CASE("the engine counts events, rejections, bytes and alerts by agency and input") {
    test::SigmaHarness rules(rule("r1", "whoami"));
    TableAlertFormat format;  // the format is not what is tested
    MemorySink sink;
    IngestEngine engine(rules.ruleset(), format, sink, {0, 4, 64});
    const std::string mixed = "{\"cmd\":\"whoami\"}\n{\"cmd\":,}\n7\n{\"cmd\":\"ls\"}\n";
    CHECK(run(engine, "a1", IngestInput::Http, mixed).accepted == 2);
    CHECK(run(engine, "a1", IngestInput::Nats, "{\"cmd\":\"whoami\"}\n").alerts == 1);
    run(engine, "a2", IngestInput::Http, "{\"cmd\":\"" + std::string(100, 'x') + "\"}\n");

    const IngestFigures f = engine.figures();
    const IngestCounts& http = f.counts.at({"a1", IngestInput::Http});
    CHECK(http.received == 4);
    CHECK(http.bytes == mixed.size());
    CHECK(http.alerts[static_cast<size_t>(Level::High)] == 1);
    CHECK(rejected(f, "a1", IngestInput::Http, RejectReason::MalformedJson) == 1);
    CHECK(rejected(f, "a1", IngestInput::Http, RejectReason::NotObject) == 1);
    CHECK(f.counts.at({"a1", IngestInput::Nats}).received == 1);
    CHECK(rejected(f, "a2", IngestInput::Http, RejectReason::TooLarge) == 1);
    CHECK(f.latency.count() == 3);
    CHECK(f.rule_matches.by_rule.at("r1") == 2);

    ServeMetrics metrics("127.0.0.1:0", [&engine] { return engine.figures(); }, {"t"});
    const std::string text = metrics.exposition();
    CHECK(sample(text, R"(vigie_events_received_total{agency="a1",input="http"})") == 4);
    CHECK(sample(text, R"(vigie_events_received_total{agency="a1",input="nats"})") == 1);
    CHECK(sample(text,
                 R"(vigie_events_rejected_total{agency="a1",input="http",reason="not_object"})") ==
          1);
    CHECK(sample(text, R"(vigie_alerts_total{agency="a1",level="high"})") == 2);  // both inputs
    CHECK(sample(text, R"(vigie_alerts_total{agency="a2",level="high"})") == 0);
    CHECK(sample(text, R"(vigie_event_latency_seconds_count)") == 3);
    CHECK(sample(text, R"(vigie_event_latency_seconds_bucket{le="+Inf"})") == 3);
    CHECK(sample(text, R"(vigie_rule_matches_total{rule_id="r1"})") == 2);
}

TEST_CASE("the HTTP handler counts what it refuses by agency and reason") {
    test::SigmaHarness rules(rule("r1", "whoami"));
    TableAlertFormat format;  // the format is not what is tested
    MemorySink sink;
    IngestEngine engine(rules.ruleset(), format, sink, {0, 1});
    AgencyRegistry agencies({Agency{"demo", sha256_hex("tok"), {1, 3}}}, sha256_hex("adm"));
    Logger log(LogFormat::Json, LogLevel::Error);
    HttpSettings settings;
    settings.max_event_bytes = 64;
    IngestHandler handler(engine, agencies, settings, log);
    auto status = [&](std::string auth, std::string body, std::string type = {}) {
        HttpRequest r{"POST", "/v1/events", "", std::move(auth), std::move(type),
                      "",     "",           "", std::move(body)};
        unsigned out = 0;
        handler.handle(std::move(r), [&out](HttpAnswer&& a) { out = a.status; });
        return out;
    };
    const std::string one = "{\"cmd\":\"whoami\"}\n";
    CHECK(status("Bearer nope", one) == 401);
    CHECK(status("Bearer tok", one, "text/html") == 415);
    CHECK(status("Bearer tok", one + "{\"cmd\":\"" + std::string(80, 'x') + "\"}\n") == 413);
    CHECK(status("Bearer tok", one + one + one + one) == 413);  // over the burst of 3
    CHECK(status("Bearer tok", one + one) == 200);
    CHECK(status("Bearer tok", one + one) == 429);  // 1 token left

    const IngestFigures f = engine.figures();
    const auto http = IngestInput::Http;
    CHECK(rejected(f, std::string(kUnknownAgency), http, RejectReason::Unauthorized) == 1);
    CHECK(rejected(f, "demo", http, RejectReason::UnreadableBody) == 1);
    CHECK(rejected(f, "demo", http, RejectReason::TooLarge) == 2 + 4);  // every line counted
    CHECK(rejected(f, "demo", http, RejectReason::RateLimited) == 2);
    CHECK(f.counts.at({"demo", http}).received == 1 + 6 + 2 + 2);
    CHECK(f.counts.at({"demo", http}).alerts[static_cast<size_t>(Level::High)] == 2);
}

TEST_CASE("a job whose alerts could not be written counts as output_error, not as alerts") {
    test::SigmaHarness rules(rule("r1", "whoami"));
    TableAlertFormat format;  // the format is not what is tested
    MemorySink sink(true);
    IngestEngine engine(rules.ruleset(), format, sink, {0, 1});
    IngestResult r =
        run(engine, "a1", IngestInput::Nats, "{\"cmd\":\"whoami\"}\n{\"cmd\":,}\n{}\n");
    CHECK_FALSE(r.output_error.empty());
    const IngestFigures f = engine.figures();
    const IngestCounts& c = f.counts.at({"a1", IngestInput::Nats});
    CHECK(c.received == 3);
    CHECK(rejected(f, "a1", IngestInput::Nats, RejectReason::OutputError) == 2);
    CHECK(rejected(f, "a1", IngestInput::Nats, RejectReason::MalformedJson) == 1);
    CHECK(c.alerts[static_cast<size_t>(Level::High)] == 0);
    CHECK(f.rule_matches.by_rule.empty());
}

TEST_CASE("rule ids beyond the label cap are counted under _other, and keep their series") {
    std::string yaml;
    for (int i = 1; i <= 5; ++i)
        yaml += (i > 1 ? "---\n" : "") + rule("r" + std::to_string(i), "n" + std::to_string(i));
    test::SigmaHarness rules(yaml);
    REQUIRE(rules.rules_loaded() == 5);
    TableAlertFormat format;  // the format is not what is tested
    MemorySink sink;
    const std::string all = "{\"cmd\":\"n1 n2 n3 n4 n5\"}\n";

    SUBCASE("in the exposition") {
        IngestEngine engine(rules.ruleset(), format, sink, {0, 1});
        ServeMetrics metrics("127.0.0.1:0", [&engine] { return engine.figures(); }, {"t", 2});
        run(engine, "a1", IngestInput::Http, all);
        const std::string first = metrics.exposition();
        CHECK(series_count(first, "vigie_rule_matches_total{") == 3);  // 2 ids + _other
        CHECK(sample(first, R"(vigie_rule_matches_total{rule_id="_other"})") == 3);
        run(engine, "a1", IngestInput::Http, all);
        const std::string second = metrics.exposition();
        CHECK(series_count(second, "vigie_rule_matches_total{") == 3);
        CHECK(sample(second, R"(vigie_rule_matches_total{rule_id="_other"})") == 6);
        int labelled = 0;
        for (int i = 1; i <= 5; ++i) {  // a labelled id keeps its series, with every match
            const std::string s =
                "vigie_rule_matches_total{rule_id=\"r" + std::to_string(i) + "\"}";
            if (sample(first, s) < 0) {
                CHECK(sample(second, s) < 0);  // and one without a series never gets one
                continue;
            }
            ++labelled;
            CHECK(sample(first, s) == 1);
            CHECK(sample(second, s) == 2);
        }
        CHECK(labelled == 2);
    }
    SUBCASE("in a worker's counts") {
        IngestEngine engine(rules.ruleset(), format, sink, {.threads = 0, .max_rule_labels = 2});
        run(engine, "a1", IngestInput::Http, all);
        const IngestFigures f = engine.figures();
        CHECK(f.rule_matches.by_rule.size() == 2);
        CHECK(f.rule_matches.other == 3);
    }
}

TEST_CASE("a Pushgateway that cannot be reached is counted and logged once, never thrown") {
    ServeMetrics metrics("127.0.0.1:0", {}, {"t"});
    std::vector<std::pair<bool, std::string>> logged;
    PushgatewaySettings settings;
    settings.url = "http://127.0.0.1:" + std::to_string(metrics.port()) + "/nowhere";
    settings.instance = "host/1";  // not URL-safe: sent base64-encoded
    MetricsPusher pusher(metrics, settings, {"demo"},
                         [&](bool ok, const std::string& m) { logged.emplace_back(ok, m); });
    CHECK(pusher.agency() == "demo");
    CHECK_FALSE(pusher.push());  // the exposer answers 405 to a PUT
    CHECK_FALSE(pusher.push());
    REQUIRE(logged.size() == 1);
    CHECK_FALSE(logged[0].first);
    INFO(logged[0].second);
    CHECK(logged[0].second.find("HTTP 405") != std::string::npos);
    CHECK(sample(metrics.exposition(), "vigie_pushgateway_errors_total") == 2);
    pusher.stop();  // the final push fails too, quietly
    CHECK(sample(metrics.exposition(), "vigie_pushgateway_errors_total") == 3);
}

TEST_CASE("Pushgateway group URLs and the grouping key's agency") {
    CHECK(pushgateway_group_url("http://hub:9091", "vigie", "demo", "host-1") ==
          "http://hub:9091/metrics/job/vigie/agency/demo/instance/host-1");
    CHECK(pushgateway_group_url("https://hub/pg/", "vigie", "", "host/1") ==
          "https://hub/pg/metrics/job/vigie/agency@base64/=/instance@base64/aG9zdC8x");
    CHECK(pushgateway_group_url("hub:9091", "vigie", "a", "i").empty());
    CHECK(pushgateway_group_url("http://", "vigie", "a", "i").empty());
    PushgatewaySettings s;
    CHECK(push_agency(s, {"only"}) == "only");
    CHECK(push_agency(s, {"a", "b"}) == "all");
    s.agency = "site";
    CHECK(push_agency(s, {"a", "b"}) == "site");
    s.url = "nats://hub";
    ServeMetrics metrics("127.0.0.1:0", {}, {"t"});
    CHECK_THROWS_AS(MetricsPusher(metrics, s, {}), std::invalid_argument);
}

}  // namespace vigie
