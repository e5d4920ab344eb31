// SPDX-License-Identifier: EUPL-1.2
// What an alert says: ATT&CK ids from tags, event times, the stable id, the record the
// outputs route by and its stored form in the spool, the details read from the event, why
// the rule matched, the OCSF form and suppression windows.
#include <doctest/doctest.h>
#include <simdjson.h>

#include <string>

#include "ingest/event_parser.hpp"
#include "pipeline/alerts/alert_envelope.hpp"
#include "pipeline/alerts/alert_format.hpp"
#include "pipeline/alerts/alert_id.hpp"
#include "pipeline/alerts/alert_record.hpp"
#include "pipeline/alerts/alert_suppressor.hpp"
#include "pipeline/alerts/attack_tags.hpp"
#include "pipeline/alerts/event_details_reader.hpp"
#include "pipeline/alerts/event_time.hpp"
#include "tests/support/sigma_harness.hpp"

using namespace vigie;

TEST_CASE("ATT&CK techniques and tactics are read from Sigma tags") {
    CHECK(attack_technique("attack.t1059.001") == "T1059.001");
    CHECK(attack_technique("attack.t1059") == "T1059");
    CHECK(attack_technique("attack.T1003") == "T1003");
    CHECK_FALSE(attack_technique("attack.g0016"));
    CHECK_FALSE(attack_technique("attack.t105"));
    CHECK_FALSE(attack_technique("attack.t1059.01"));
    CHECK_FALSE(attack_technique("attack.t1059x001"));
    CHECK_FALSE(attack_technique("cve.2021-44228"));
    CHECK(attack_tactic("attack.execution")->uid == "TA0002");
    CHECK(attack_tactic("attack.defense-evasion")->uid == "TA0005");
    CHECK(attack_tactic("attack.command_and_control")->name == "Command and Control");
    CHECK_FALSE(attack_tactic("attack.t1059"));
}

TEST_CASE("event times: RFC 3339 text, offsets, Windows UtcTime, epoch numbers") {
    const int64_t t = 1795073426655;  // 2026-11-19T07:30:26.655Z
    CHECK(parse_event_time("2026-11-19T07:30:26.655732Z") == t);
    CHECK(parse_event_time("2026-11-19T09:30:26.655+02:00") == t);
    CHECK(parse_event_time("2026-11-19T02:30:26.655-0500") == t);
    CHECK(parse_event_time("2026-11-19 07:30:26.655") == t);
    CHECK(parse_event_time("2026-11-19T07:30:26Z") == t - 655);
    CHECK(parse_event_time("1795073426.655") == t);
    CHECK(parse_event_time("1795073426655") == t);
    CHECK(event_time_from_number(1795073426655000.0) == t);
    CHECK_FALSE(parse_event_time("2026-13-19T07:30:26Z"));
    CHECK_FALSE(parse_event_time("2026-11-19T07:30:26Zjunk"));
    CHECK_FALSE(parse_event_time("yesterday"));
    CHECK_FALSE(parse_event_time(""));
    CHECK_FALSE(event_time_from_number(-5));
    std::string text;
    append_rfc3339_ms(t, text);
    CHECK(text == "2026-11-19T07:30:26.655Z");
    CHECK(parse_event_time(text) == t);
}

TEST_CASE("the alert id depends on the rule, the agency and the event, nothing else") {
    std::string a, b, c, d;
    compute_alert_id("r1", "demo", R"({"x":1})", a);
    compute_alert_id("r1", "demo", R"({"x":1})", b);
    compute_alert_id("r2", "demo", R"({"x":1})", c);
    compute_alert_id("r1", "other", R"({"x":1})", d);
    CHECK(a.size() == 32);
    CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(a == b);
    CHECK(a != c);
    CHECK(a != d);
    // The documented definition (docs/alert.schema.json), computed apart with Python's
    // hashlib: sha256(b'r1\x00demo\x00{"x":1}').hexdigest()[:32].
    CHECK(a == "d1a41ac33487635d6584b86335716faf");
    // The separator keeps ("r1", "xdemo") and ("r1x", "demo") apart.
    compute_alert_id("r1x", "demo", "{}", c);
    compute_alert_id("r1", "xdemo", "{}", d);
    CHECK(c != d);
}

namespace {

// The first stored record of `buffer` ("routing\nalert\n"...), as the spool keeps it
// ("routing\nalert"), and the rest after it.
std::string_view take_record(std::string_view& buffer) {
    const size_t first = buffer.find('\n');
    const size_t second = first == std::string_view::npos ? first : buffer.find('\n', first + 1);
    const std::string_view record = buffer.substr(0, second);
    buffer.remove_prefix(second == std::string_view::npos ? buffer.size() : second + 1);
    return record;
}

}  // namespace

TEST_CASE("stored alert records round-trip and keep their routing line parseable") {
    std::string buffer;
    append_envelope({"u1", "demo", "rule\tid", "attack.t1059,attack.execution", Level::High},
                    R"({"a":1})", buffer);
    append_envelope({"u2", "", "r2", "", Level::Low}, R"({"b":2})", buffer);
    std::string_view rest = buffer;
    AlertRouting routing;
    std::string_view alert;
    const std::string_view record = take_record(rest);
    REQUIRE(parse_envelope(record, routing, alert));
    CHECK(routing.uid == "u1");
    CHECK(routing.rule_id == "rule id");
    CHECK(routing.level == Level::High);
    CHECK(routing.has_tag("attack.execution"));
    CHECK_FALSE(routing.has_tag("attack"));
    CHECK(alert == R"({"a":1})");
    AlertRouting again;
    std::string_view again_alert;
    REQUIRE(parse_envelope(record, again, again_alert));
    CHECK(again.agency == "demo");
    REQUIRE(parse_envelope(take_record(rest), routing, alert));
    CHECK(routing.agency.empty());
    CHECK(alert == R"({"b":2})");
    CHECK(rest.empty());
    CHECK_FALSE(parse_envelope("u\tdemo\tnot-a-level\tr\t\n{}", routing, alert));
    CHECK_FALSE(parse_envelope("no routing line", routing, alert));
    CHECK_FALSE(parse_envelope("u\tdemo\thigh\tr\t\n{}\n{}", routing, alert));
}

TEST_CASE("an alert record carries its routing: the TLP is its most restrictive tlp tag") {
    CHECK(tlp_of_tags("") == AlertTlp::None);
    CHECK(tlp_of_tags("attack.t1059") == AlertTlp::None);
    CHECK(tlp_of_tags("stix.indicator,tlp:green") == AlertTlp::Green);
    CHECK(tlp_of_tags("tlp:amber,tlp:red,tlp:green") == AlertTlp::Red);
    CHECK(tlp_of_tags("tlp:amber+strict,tlp:amber") == AlertTlp::AmberStrict);
    CHECK(tlp_of_tags("tlp:white") == AlertTlp::Clear);
    CHECK(tlp_of_tags("tlp:redder,TLP:RED") == AlertTlp::None);  // exact names only
    CHECK(AlertRouting("u", "a", "r", "x,tlp:amber", Level::Low).tlp == AlertTlp::Amber);

    Rule rule;
    rule.id = "r1";
    rule.level = Level::High;
    rule.tags = {"attack.t1059", "tlp:amber"};
    Alert a{rule, "http", 0, 1, R"({"x":1})", "demo"};
    a.uid = "u1";
    AlertRecordBatch batch;
    fill_record(a, JsonlAlertFormat(), batch.add());
    AlertIndicator indicator{"indicator--1", "bad", "TLP:RED", "peer-a", 90};
    a.indicator = &indicator;
    fill_record(a, JsonlAlertFormat(), batch.add());
    REQUIRE(batch.size() == 2);
    const AlertRecord& r = batch.records()[0];
    CHECK(r.uid == "u1");
    CHECK(r.agency == "demo");
    CHECK(r.rule_id == "r1");
    CHECK(r.level == Level::High);
    CHECK(r.tags == "attack.t1059,tlp:amber");
    CHECK(r.tlp == AlertTlp::Amber);
    CHECK_FALSE(r.is_indicator());
    CHECK(r.text.find(R"("uid":"u1")") != std::string::npos);
    CHECK(r.text.find('\n') == std::string::npos);
    CHECK(batch.records()[1].indicator_id == "indicator--1");
    CHECK(batch.records()[1].indicator_source == "peer-a");
    // Cleared, the batch hands its slots out again, their strings' storage kept.
    const char* storage = r.text.data();
    batch.clear();
    CHECK(batch.empty());
    AlertRecord& again = batch.add();
    CHECK(&again == &r);
    a.indicator = nullptr;
    fill_record(a, JsonlAlertFormat(), again);
    CHECK(again.text.data() == storage);
    CHECK(again.indicator_id.empty());
}

TEST_CASE("event details: time, host, flattened keys, the subset and the key") {
    AlertContentSettings content;
    content.event_fields = {"Event.System.Computer", "Event.EventData.Image", "missing"};
    EventDetailsReader reader(content, {"Event.EventData.User", "nope"});
    auto d = reader.read(
        R"({"Event":{"System":{"Computer":"WS1","TimeCreated":{"#attributes":{"SystemTime":)"
        R"("2026-11-19T07:30:26.655Z"}}},"EventData":{"Image":"C:\\a.exe","User":"bob"}}})");
    CHECK(d.parsed);
    CHECK(d.time_ms == 1795073426655);
    CHECK(d.host == "WS1");
    CHECK(d.subset == R"({"Event.System.Computer":"WS1","Event.EventData.Image":"C:\\a.exe"})");
    CHECK(d.key == std::string("\"bob\"\0\0", 7));
    EventDetailsReader plain{AlertContentSettings{}};
    auto flat = plain.read(R"({"host.name":"srv","@timestamp":1795073426655})");
    CHECK(flat.host == "srv");
    CHECK(flat.time_ms == 1795073426655);
    CHECK(flat.subset.empty());
    auto none = plain.read(R"({"host":{"ip":"1.2.3.4"}})");
    CHECK(none.host.empty());
    CHECK_FALSE(none.time_ms);
}

namespace {

// Runs the harness's first rule on `event` and explains the match.
std::vector<MatchedField> explain(const std::string& rule_yaml, std::string_view event,
                                  std::vector<std::string>& storage) {
    test::SigmaHarness harness(rule_yaml);
    REQUIRE(harness.errors().empty());
    Detector detector(harness.ruleset());
    EventParser parser(detector.ruleset().trie(), detector.ruleset().needs_all_strings());
    std::string buffer(event);
    buffer.append(64, ' ');
    RawDocument doc{buffer.data(), event.size(), buffer.size(), 1, 0};
    REQUIRE(parser.parse(doc, detector.event()).empty());
    std::vector<uint32_t> matches;
    detector.detect(matches);
    REQUIRE(matches.size() == 1);
    std::vector<MatchedField> out;
    detector.explain(matches[0], out);
    for (auto& m : out) {  // the views die with the parser: copy for the caller
        storage.push_back(std::string(m.selection) + "|" + std::string(m.field) + "|" +
                          std::string(m.value));
    }
    return out;
}

}  // namespace

TEST_CASE("the explanation names the selections that fired, not the filters") {
    const std::string rule =
        "title: t\nid: r1\nlogsource: {product: test}\ndetection:\n"
        "  sel_img:\n    Image|endswith: '\\cmd.exe'\n"
        "  sel_cli:\n    - CommandLine|contains: whoami\n    - CommandLine|contains: ipconfig\n"
        "  filter:\n    User: admin\n"
        "  other:\n    Nope: x\n"
        "  condition: sel_img and sel_cli and not filter or other\n";
    std::vector<std::string> got;
    explain(rule, R"({"Image":"C:\\w\\cmd.exe","CommandLine":"cmd /c whoami","User":"bob"})", got);
    CHECK(got == std::vector<std::string>{"sel_img|Image|C:\\w\\cmd.exe",
                                          "sel_cli|CommandLine|cmd /c whoami"});
}

TEST_CASE("jsonl and OCSF alerts carry the id, times, host, techniques and what matched") {
    Rule rule;
    rule.id = "r-1";
    rule.title = "Whoami";
    rule.level = Level::High;
    rule.status = "test";
    rule.tags = {"attack.execution", "attack.t1059.001", "attack.g0001"};
    rule.references = {"https://example.org/r"};
    std::vector<MatchedField> matched{
        {"sel", "Image", "C:\\cmd.exe"}, {"sel", "User", "bob"}, {"sel2", "keywords", "x"}};
    Alert a{rule, "http", 2, 3, R"({"a": 1})", "demo"};
    a.uid = "0123456789abcdef0123456789abcdef";
    a.time_ms = 1795073430000;
    a.event_time_ms = 1795073426655;
    a.host = "WS1";
    a.matched = matched;
    std::string jsonl;
    JsonlAlertFormat().append(a, jsonl);
    CHECK(
        jsonl ==
        R"({"rule":{"id":"r-1","title":"Whoami","level":"high","status":"test","tags":)"
        R"(["attack.execution","attack.t1059.001","attack.g0001"],"techniques":["T1059.001"],)"
        R"("references":["https://example.org/r"]},"source":{"file":"http","index":2,"line":3},)"
        R"("schema_version":"1.0","uid":"0123456789abcdef0123456789abcdef","time":1795073430000,)"
        R"("start_time":1795073426655,"end_time":1795073426655,"count":1,"severity":"High",)"
        R"("severity_id":4,"agency":"demo","device":{"hostname":"WS1"},"matched":[{"selection":)"
        R"("sel","fields":[{"name":"Image","value":"C:\\cmd.exe"},{"name":"User","value":"bob"}]},)"
        R"({"selection":"sel2","fields":[{"name":"keywords","value":"x"}]}],"event":{"a":1}})"
        "\n");
    std::string ocsf;
    OcsfAlertFormat("9.9").append(a, ocsf);
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    REQUIRE(parser.parse(ocsf).get(doc) == simdjson::SUCCESS);
    CHECK(int64_t(doc["class_uid"]) == 2004);
    CHECK(int64_t(doc["type_uid"]) == 200401);
    CHECK(int64_t(doc["severity_id"]) == 4);
    CHECK(std::string_view(doc["finding_info"]["uid"]) == a.uid);
    CHECK(std::string_view(doc["finding_info"]["analytic"]["uid"]) == "r-1");
    CHECK(std::string_view(doc["finding_info"]["attacks"].at(0)["technique"]["uid"]) ==
          "T1059.001");
    CHECK(std::string_view(doc["finding_info"]["attacks"].at(0)["tactic"]["uid"]) == "TA0002");
    CHECK(std::string_view(doc["metadata"]["product"]["version"]) == "9.9");
    CHECK(std::string_view(doc["device"]["hostname"]) == "WS1");
    CHECK(int64_t(doc["evidences"].at(0)["data"]["a"]) == 1);
    CHECK(std::string_view(doc["unmapped"]["agency"]) == "demo");
    a.include_event = false;
    jsonl.clear();
    JsonlAlertFormat().append(a, jsonl);
    CHECK(jsonl.find("\"event\"") == std::string::npos);
}

TEST_CASE("suppression: one alert at once, repeats counted, one summary when the window closes") {
    Rule rule;
    rule.id = "noisy";
    rule.title = "Noisy";
    rule.level = Level::Medium;
    SuppressionSettings settings{60, {"User"}};
    AlertSuppressor suppressor(settings);
    auto owner = std::make_shared<int>(0);
    Alert a{rule, "http", 0, 1, R"({"User":"bob"})", "demo"};
    a.uid = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    a.event_time_ms = 1000;
    const int64_t t0 = 1'000'000;
    CHECK(suppressor.admit(a, "bob", t0, owner));
    a.event_time_ms = 5000;
    CHECK_FALSE(suppressor.admit(a, "bob", t0 + 1000, owner));
    a.event_time_ms = 3000;
    CHECK_FALSE(suppressor.admit(a, "bob", t0 + 2000, owner));
    CHECK(suppressor.admit(a, "alice", t0 + 2000, owner));  // another key
    Alert other_agency = a;
    other_agency.agency = "other";
    CHECK(suppressor.admit(other_agency, "bob", t0 + 2000, owner));
    JsonlAlertFormat format;
    AlertRecordBatch out;
    CHECK(suppressor.take_closed(t0 + 59'000, false, format, out) == 0);
    CHECK(out.empty());
    CHECK(suppressor.take_closed(t0 + 60'000, false, format, out) == 1);
    REQUIRE(out.size() == 1);
    const AlertRecord& summary = out.records()[0];
    CHECK(summary.rule_id == "noisy");
    CHECK(summary.uid != a.uid);
    CHECK(summary.text.find(R"("count":3)") != std::string_view::npos);
    CHECK(summary.text.find(R"("start_time":1000,"end_time":5000)") != std::string_view::npos);
    auto stats = suppressor.stats();
    CHECK(stats.suppressed == 2);
    CHECK(stats.summaries == 1);
    CHECK(stats.open_windows == 2);  // alice's and the other agency's, opened later
    out.clear();
    CHECK(suppressor.take_closed(t0 + 62'000, false, format, out) == 0);  // single: silent
    CHECK(suppressor.stats().open_windows == 0);
    // After the window, the same key opens a new one.
    CHECK(suppressor.admit(a, "bob", t0 + 61'000, owner));
}

TEST_CASE("suppression lets alerts through when too many windows are open") {
    Rule rule;
    rule.id = "r";
    AlertSuppressor suppressor(SuppressionSettings{60, {}}, 16);
    auto owner = std::make_shared<int>(0);
    Alert a{rule, "f", 0, 1, "{}"};
    size_t admitted = 0;
    for (int i = 0; i < 1000; ++i) {
        if (suppressor.admit(a, std::to_string(i), 0, owner)) ++admitted;
    }
    CHECK(admitted == 1000);
    CHECK(suppressor.stats().overflow > 0);
    CHECK(suppressor.stats().open_windows <= 32);
}
