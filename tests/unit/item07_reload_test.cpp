// SPDX-License-Identifier: EUPL-1.2
// Issue 19 item 7: which settings a reload applies live and which wait for a restart,
// what changed between two readings of the file, and a request keeping the settings
// snapshot it began under while a reload publishes another.
#include <doctest/doctest.h>

#include "app/config/setting_classes.hpp"
#include "core/token_digest.hpp"
#include "pipeline/alerts/alert_format.hpp"
#include "pipeline/engine/ingest_engine.hpp"
#include "service/http/ingest_handler.hpp"
#include "service/http/live_settings.hpp"
#include "tests/support/sigma_harness.hpp"

namespace vigie {

namespace {

class MemorySink final : public TextAlertSink {
  public:
    Status write(std::string_view alerts) override {
        text += alerts;
        return {};
    }
    void flush() override {}
    std::string text;
};

}  // namespace

TEST_CASE("reload 7: every class of setting is live or needs a restart") {
    for (const char* live : {"http.max_body_bytes",
                             "http.max_event_bytes",
                             "http.max_connections",
                             "http.read_timeout_seconds",
                             "http.header_timeout_seconds",
                             "http.idle_timeout_seconds",
                             "agencies[0].token_sha256",
                             "agencies[2].rate_limit.burst",
                             "admin.token_sha256",
                             "rules.paths[1]",
                             "rules.mapping",
                             "rules.placeholders",
                             "rules.cache_dir",
                             "log.level",
                             "alerts.suppression.window_seconds",
                             "alerts.suppression.fields[0]",
                             "http.tls.certificate",
                             "http.tls.private_key",
                             "http.tls.client_ca",
                             "alerts.outputs[0].min_level",
                             "alerts.outputs[3].tags[1]",
                             "alerts.outputs[12].exclude_rules[0]",
                             "alerts.outputs[1].tlp_amber"})
        CHECK_MESSAGE(applies_live(live), live);
    for (const char* restart : {"http.listen",
                                "http.request_threads",
                                "http.tls.enabled",
                                "metrics.listen",
                                "metrics.enabled",
                                "metrics.pushgateway.url",
                                "engine.threads",
                                "engine.queue_capacity",
                                "alerts.format",
                                "alerts.output",
                                "alerts.outputs[0].type",
                                "alerts.outputs[0].url",
                                "alerts.outputs[1].name",
                                "alerts.outputs[0].min_levels",
                                "alerts.outputs[x].min_level",
                                "spool.directory",
                                "nats.url",
                                "nats.enabled",
                                "limits.max_nesting_depth",
                                "indicators.enabled",
                                "taxii.enabled",
                                "federation.peers[0].url",
                                "log.format",
                                "http.max_body_bytes_typo"})  // a prefix is not a parent
        CHECK_MESSAGE(!applies_live(restart), restart);
}

TEST_CASE("reload 7: changes are named, restart-only ones against the start-up file") {
    const FlatSettings started{{"http.listen", "127.0.0.1:8080"},
                               {"http.max_body_bytes", "1000"},
                               {"nats.url[0]", "nats://a:4222"},
                               {"agencies[0].token_sha256", "aa"}};
    FlatSettings applied = started;
    applied["http.max_body_bytes"] = "2000";  // a first reload applied this
    FlatSettings next = applied;
    next["http.listen"] = "127.0.0.1:9090";
    next["nats.url[0]"] = "nats://b:4222";
    next["agencies[0].token_sha256"] = "bb";
    next["log.level"] = "debug";  // added
    const SettingChanges c = compare_settings(applied, started, next);
    CHECK(c.applied == std::vector<std::string>{"agencies[0].token_sha256", "log.level"});
    CHECK(c.restart_required == std::vector<std::string>{"http.listen", "nats.url"});
    // Not applied, so named again by the next reload; an unchanged live setting is not.
    const SettingChanges again = compare_settings(next, started, next);
    CHECK(again.applied.empty());
    CHECK(again.restart_required == std::vector<std::string>{"http.listen", "nats.url"});
    // Set back to the start-up value: nothing waits for a restart any more.
    next["http.listen"] = "127.0.0.1:8080";
    next.erase("nats.url[0]");
    next["nats.url[0]"] = "nats://a:4222";
    CHECK(compare_settings(next, started, next).restart_required.empty());
}

TEST_CASE("reload 7: a live setting that could not be applied is named again next time") {
    const FlatSettings before{{"alerts.outputs[0].name", "archive"},
                              {"http.max_body_bytes", "1000"}};
    const FlatSettings next{{"alerts.outputs[0].name", "archive"},
                            {"alerts.outputs[1].name", "extra"},
                            {"alerts.outputs[1].tags[0]", "attack.t1059"},
                            {"http.max_body_bytes", "2000"}};
    // The reload applied the body limit; output 1 is not running, its tags were not.
    const FlatSettings in_force = settings_in_force(before, next, {"alerts.outputs[1].tags"});
    CHECK(in_force.at("http.max_body_bytes") == "2000");
    CHECK(!in_force.contains("alerts.outputs[1].tags[0]"));
    const SettingChanges again = compare_settings(in_force, before, next);
    CHECK(again.applied == std::vector<std::string>{"alerts.outputs[1].tags"});
}

TEST_CASE("reload 7: a request keeps the settings snapshot it began under") {
    test::SigmaHarness old_rules(
        "title: t\nid: r1\nlevel: high\nlogsource: {product: p}\ndetection:\n  sel:\n"
        "    cmd|contains: whoami\n  condition: sel\n");
    test::SigmaHarness new_rules(
        "title: t\nid: r2\nlevel: high\nlogsource: {product: p}\ndetection:\n  sel:\n"
        "    cmd|contains: nothing-matches-this\n  condition: sel\n");
    JsonlAlertFormat format;
    MemorySink sink;
    IngestEngine engine(old_rules.ruleset(), format, sink, {0, 1});  // jobs run inline
    const Agency demo{"demo", sha256_hex("old-token"), {1e6, 1e6}};
    AgencyRegistry agencies({demo}, sha256_hex("adm"));
    Logger log(LogFormat::Json, LogLevel::Error);
    HttpSettings http;
    LiveSettingsStore store({http, agencies.table(), old_rules.ruleset()});
    IngestHandler handler(engine, agencies, http, log);
    handler.follow(store);
    const std::shared_ptr<const LiveSettings> began = store.current();
    // A reload meanwhile: another token, a lower event limit, other rules.
    HttpSettings lowered = http;
    lowered.max_event_bytes = 8;
    const Agency renamed{"demo", sha256_hex("new-token"), {1e6, 1e6}};
    store.publish({lowered, std::make_shared<const AgencyTable>(std::vector<Agency>{renamed}, ""),
                   new_rules.ruleset()});
    engine.replace_ruleset(new_rules.ruleset());  // as the reloader does, for NATS jobs
    auto answer = [&](std::shared_ptr<const LiveSettings> settings, const std::string& token) {
        HttpRequest r{"POST", "/v1/events", "", "Bearer " + token,       "",
                      "",     "",           "", "{\"cmd\":\"whoami\"}\n"};
        r.settings = std::move(settings);
        HttpAnswer out;
        handler.handle(std::move(r), [&out](HttpAnswer&& a) { out = std::move(a); });
        return out;
    };
    // Begun before the reload: the old token, the old limit, the old rules (one alert).
    const HttpAnswer in_flight = answer(began, "old-token");
    CHECK(in_flight.status == 200);
    CHECK(in_flight.body.find("\"alerts\":1") != std::string::npos);
    // Begun after it: the new settings, all of them.
    CHECK(answer(nullptr, "old-token").status == 401);
    CHECK(answer(store.current(), "old-token").status == 401);
    const HttpAnswer after = answer(store.current(), "new-token");
    CHECK(after.status == 413);  // the 17-byte line is over the new limit of 8
    CHECK(after.body.find("http.max_event_bytes") != std::string::npos);
}

}  // namespace vigie
