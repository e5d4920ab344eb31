// SPDX-License-Identifier: EUPL-1.2
// A ServeMetrics exposer with every family populated, for metrics_exposition_test.sh (curl,
// promtool, the Grafana dashboard check) and, given a Pushgateway, a MetricsPusher pushing
// every second. Real engine jobs fill the ingest families; the other figures are a
// snapshot such as the serve command publishes, there to expose every family (promtool,
// the dashboard, the Pushgateway) and asserted nowhere: tests assert only counts vigie
// computed (item05_*.sh drive a real vigie serve).
//   vigie-metrics-fixture [PUSHGATEWAY_URL AGENCY INSTANCE]
// Prints "port N" once serving, then runs until stdin closes (after a final push).
#include <cstdio>
#include <iostream>
#include <string>

#include "detector/field_mapping.hpp"
#include "detector/rule_parser.hpp"
#include "detector/ruleset_compiler.hpp"
#include "metrics/metrics_pusher.hpp"
#include "metrics/serve_metrics.hpp"
#include "pipeline/alerts/alert_format.hpp"
#include "pipeline/engine/ingest_engine.hpp"

namespace {

using namespace vigie;

class NullSink final : public TextAlertSink {
  public:
    Status write(std::string_view) override { return {}; }
    void flush() override {}
};

const char* const kRules =
    "title: a\nid: rule-a\nlevel: high\nlogsource: {product: p}\n"
    "detection:\n  sel:\n    cmd|contains: whoami\n  condition: sel\n"
    "---\n"
    "title: b\nid: rule-b\nlevel: low\nlogsource: {product: p}\n"
    "detection:\n  sel:\n    cmd|contains: net\n  condition: sel\n";

// As tests/support/sigma_harness.cpp does, without doctest (this is not a doctest runner).
std::shared_ptr<const Ruleset> compile_rules() {
    Diagnostics diags;
    auto mapping = FieldMapping::parse("name: flat\nproducts: ['*']\nfield_defaults: ['{field}']\n",
                                       "<fixture mapping>", diags);
    Placeholders none;
    std::vector<Rule> rules;
    RuleParser(none, diags).parse_text(kRules, "<fixture rules>", rules);
    CompileReport report;
    return RulesetCompiler(*mapping, diags).compile(std::move(rules), {true, ""}, report);
}

void run_jobs(IngestEngine& engine) {
    const std::string body = "{\"cmd\":\"whoami\"}\n{\"cmd\":\"net use\"}\n{\"cmd\":,}\n7\n";
    for (const char* agency : {"a1", "a2"}) {
        for (IngestInput input : {IngestInput::Http, IngestInput::Nats})
            engine.submit(IngestJob{agency, "fixture", body, [](IngestResult&&) {}, input});
    }
    engine.count_refused(kUnknownAgency, IngestInput::Http, RejectReason::Unauthorized, 1, 10);
    engine.count_refused("a1", IngestInput::Http, RejectReason::RateLimited, 5, 100);
    engine.count_refused("a2", IngestInput::Nats, RejectReason::Overloaded, 2, 50);
}

ServeSnapshot snapshot() {
    ServeSnapshot s;
    s.http_requests = 9;
    s.http_unauthorized = 1;
    s.http_rate_limited = 1;
    s.http_connections = 2;
    s.queued_jobs = 3;
    s.queue_capacity = 64;
    s.ready = true;
    s.rules_loaded = 2;
    s.nats_messages = 4;
    s.nats_acked = 4;
    s.nats_in_flight = 1;
    s.reloads_ok = 1;
    s.spool = {true, 4096, 1 << 20, false, 0};
    s.outputs = {{"hub-nats", 10, 1, 1, 2, 1.5}, {"siem-syslog", 12, 0, 0, 0, 0}};
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    TableAlertFormat format;  // the format is not what is tested
    NullSink sink;
    IngestEngine engine(compile_rules(), format, sink, {0, 4});
    run_jobs(engine);
    ServeMetrics metrics("127.0.0.1:0", [&engine] { return engine.figures(); },
                         {"fixture", kDefaultMaxRuleLabels});
    metrics.publish(snapshot());
    std::unique_ptr<MetricsPusher> pusher;
    if (argc == 4) {
        PushgatewaySettings settings;
        settings.url = argv[1];
        settings.interval_seconds = 1;
        settings.agency = argv[2];
        settings.instance = argv[3];
        pusher = std::make_unique<MetricsPusher>(
            metrics, settings, std::vector<std::string>{},
            [](bool ok, const std::string& m) { std::fprintf(stderr, "%d %s\n", ok, m.c_str()); });
        pusher->start();
    }
    std::printf("port %u\n", static_cast<unsigned>(metrics.port()));
    std::fflush(stdout);
    for (std::string line; std::getline(std::cin, line);) {
    }
    if (pusher) pusher->stop();
    return 0;
}
