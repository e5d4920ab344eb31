// SPDX-License-Identifier: EUPL-1.2
// The STIX pattern evaluator over small observation sets, modelled on the OASIS reference
// matcher's tests (stix2matcher/test/v21): comparisons, IN, LIKE, MATCHES, ISSUBSET,
// references, observation operators, qualifiers; and line_rate_terms.
#include <doctest/doctest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "federation/stix/observation_set.hpp"
#include "federation/stix/pattern_ast.hpp"
#include "federation/stix/pattern_eval.hpp"
#include "federation/stix/pattern_parser.hpp"
#include "federation/stix/pattern_terms.hpp"

using namespace vigie::stix;

namespace {

// One observed-data "od-N" per SCO list, first_observed at `minute` minutes past 00:00.
std::string observed(int n, int minute, const std::string& refs, int count = 1) {
    char first[32];
    std::snprintf(first, sizeof first, "2020-01-01T00:%02d:00Z", minute);
    return R"({"type":"observed-data","id":"od-)" + std::to_string(n) + R"(","first_observed":")" +
           first + R"(","last_observed":")" + first + R"(","number_observed":)" +
           std::to_string(count) + R"(,"object_refs":[)" + refs + "]}";
}

const std::string kScos = R"(
 {"type":"file","id":"file--1","name":"foo.dll","size":1024,"hashes":{"SHA-256":"aa","MD5":"bb"},
  "created":"2014-01-13T07:03:17Z","magic_number_hex":"ffd8","parent_directory_ref":"directory--1",
  "extensions":{"windows-pebinary-ext":{"sections":[{"entropy":3.5},{"entropy":7.5}]}}},
 {"type":"directory","id":"directory--1","path":"C:\\Windows\\System32"},
 {"type":"ipv4-addr","id":"ipv4-addr--1","value":"198.51.100.7"},
 {"type":"ipv6-addr","id":"ipv6-addr--1","value":"2001:db8:dead:beef::1"},
 {"type":"domain-name","id":"domain-name--1","value":"www.example.com","resolves_to_refs":["ipv4-addr--1"]},
 {"type":"network-traffic","id":"network-traffic--1","dst_ref":"ipv4-addr--1","dst_port":443,"protocols":["ipv4","tcp"]},
 {"type":"process","id":"process--1","name":"cmd.exe","command_line":"cmd.exe /c whoami","pid":4},
 {"type":"user-account","id":"user-account--1","user_id":"1007","is_privileged":true})";

// od-1 00:00 file, od-2 00:01 network, od-3 00:05 process (x2), od-4 00:30 domain, od-5 00:31
// process
std::string bundle() {
    return R"({"type":"bundle","id":"bundle--1","objects":[)" + kScos + "," +
           observed(1, 0, R"("file--1","directory--1")") + "," +
           observed(2, 1, R"("network-traffic--1","ipv4-addr--1","ipv6-addr--1")") + "," +
           observed(3, 5, R"("process--1","user-account--1")", 2) + "," +
           observed(4, 30, R"("domain-name--1")") + "," + observed(5, 31, R"("process--1")") + "]}";
}

struct Case {
    std::string pattern;
    EvalResult::Status status;
    std::vector<std::string> ids;  // for Match
};

EvalResult run(const std::string& pattern, const ObservationSet& set) {
    PatternParse parse = parse_pattern(pattern);
    REQUIRE_MESSAGE(parse.ok(), parse.error().message);
    return evaluate(**parse, set);
}

const ObservationSet& fixture() {
    static const ObservationSet set = [] {
        ObservationSet s;
        vigie::Status added = s.add_document(bundle());
        REQUIRE_MESSAGE(added.ok(), added.error().message);
        s.finish();
        return s;
    }();
    return set;
}

constexpr auto kMatch = EvalResult::Status::Match;
constexpr auto kNoMatch = EvalResult::Status::NoMatch;

void check_cases(const std::vector<Case>& cases) {
    for (const Case& c : cases) {
        CAPTURE(c.pattern);
        EvalResult r = run(c.pattern, fixture());
        CHECK(r.status == c.status);
        if (c.status == kMatch) CHECK(r.observed_data_ids == c.ids);
        if (c.status != kMatch) CHECK(r.observed_data_ids.empty());
    }
}

}  // namespace

TEST_CASE("comparisons are type-aware") {
    check_cases({
        {"[file:name = 'foo.dll']", kMatch, {"od-1"}},
        {"[file:name = 'FOO.dll']", kNoMatch, {}},
        {"[file:name != 'bar.dll']", kMatch, {"od-1"}},
        {"[file:name NOT = 'foo.dll']", kNoMatch, {}},
        {"[file:size = 1024]", kMatch, {"od-1"}},
        {"[file:size = 1024.0]", kMatch, {"od-1"}},
        {"[file:size = '1024']", kNoMatch, {}},
        {"[file:size > 1000 AND file:size <= 1024]", kMatch, {"od-1"}},
        {"[file:size < 1024]", kNoMatch, {}},
        {"[file:size > 'a']", kNoMatch, {}},
        {"[file:name > 'foo']", kMatch, {"od-1"}},
        {"[user-account:is_privileged = true]", kMatch, {"od-3"}},
        {"[user-account:is_privileged = 1]", kNoMatch, {}},
        {"[file:created = t'2014-01-13T07:03:17Z']", kMatch, {"od-1"}},
        {"[file:created > t'2014-01-13T07:03:17.5Z']", kNoMatch, {}},
        {"[file:magic_number_hex = h'ffd8']", kMatch, {"od-1"}},
        {"[file:magic_number_hex = b'/9g=']", kMatch, {"od-1"}},
        {"[file:magic_number_hex = h'ffd9']", kNoMatch, {}},
        {"[file:hashes.'SHA-256' = 'aa' AND file:hashes.MD5 = 'bb']", kMatch, {"od-1"}},
        {"[file:missing = 1]", kNoMatch, {}},
        {"[file:missing != 1]", kNoMatch, {}},
    });
}

TEST_CASE("IN, LIKE, MATCHES, ISSUBSET, ISSUPERSET, EXISTS") {
    check_cases({
        {"[process:pid IN (1, 4, 9)]", kMatch, {"od-3", "od-5"}},
        {"[process:pid NOT IN (1, 4, 9)]", kNoMatch, {}},
        {"[process:name IN ()]", kNoMatch, {}},
        {"[process:name LIKE 'cmd%']", kMatch, {"od-3", "od-5"}},
        {"[process:name LIKE 'c_d.exe']", kMatch, {"od-3", "od-5"}},
        {"[process:name LIKE 'c_.exe']", kNoMatch, {}},
        {"[process:name LIKE 'CMD%']", kNoMatch, {}},
        {"[process:name NOT LIKE 'x%']", kMatch, {"od-3", "od-5"}},
        {"[process:pid LIKE '4']", kNoMatch, {}},
        {"[process:command_line MATCHES '/c\\\\s+who']", kMatch, {"od-3", "od-5"}},
        {"[process:command_line MATCHES '^whoami']", kNoMatch, {}},
        {"[ipv4-addr:value ISSUBSET '198.51.100.0/24']", kMatch, {"od-2"}},
        {"[ipv4-addr:value ISSUBSET '198.51.101.0/24']", kNoMatch, {}},
        {"[ipv4-addr:value NOT ISSUBSET '10.0.0.0/8']", kMatch, {"od-2"}},
        {"[ipv6-addr:value ISSUBSET '2001:0db8:dead:beef:0000:0000:0000:0000/64']",
         kMatch,
         {"od-2"}},
        {"[ipv6-addr:value ISSUBSET '2001:db8:dead:bef0::/64']", kNoMatch, {}},
        {"[ipv4-addr:value ISSUPERSET '198.51.100.7']", kMatch, {"od-2"}},
        {"[EXISTS process:pid]", kMatch, {"od-3", "od-5"}},
        {"[NOT EXISTS file:size]", kNoMatch, {}},
        {"[NOT EXISTS file:owner_ref]", kMatch, {"od-1"}},
    });
}

TEST_CASE("references, lists and comparison AND on one object") {
    check_cases({
        {"[file:parent_directory_ref.path = 'C:\\\\Windows\\\\System32']", kMatch, {"od-1"}},
        {"[network-traffic:dst_ref.value = '198.51.100.7']", kMatch, {"od-2"}},
        {"[network-traffic:dst_ref.value ISSUBSET '198.51.100.0/28']", kMatch, {"od-2"}},
        {"[domain-name:resolves_to_refs[*].value = '198.51.100.7']", kMatch, {"od-4"}},
        {"[domain-name:resolves_to_refs[0].value = '198.51.100.7']", kMatch, {"od-4"}},
        {"[domain-name:resolves_to_refs[1].value = '198.51.100.7']", kNoMatch, {}},
        {"[network-traffic:protocols[*] = 'tcp']", kMatch, {"od-2"}},
        {"[network-traffic:protocols[0] = 'tcp']", kNoMatch, {}},
        {"[network-traffic:protocols[-1] = 'tcp']", kMatch, {"od-2"}},
        {"[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]", kMatch, {"od-1"}},
        {"[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 8]", kNoMatch, {}},
        // AND within an observation needs one object that satisfies both sides
        {"[file:name = 'foo.dll' AND process:name = 'cmd.exe']", kNoMatch, {}},
        {"[file:name = 'foo.dll' OR process:name = 'cmd.exe']", kMatch, {"od-1", "od-3", "od-5"}},
        {"[(process:name = 'x' OR process:pid = 4) AND process:name = 'cmd.exe']",
         kMatch,
         {"od-3", "od-5"}},
    });
}

TEST_CASE("observation operators: AND needs distinct observations, FOLLOWEDBY time order") {
    check_cases({
        {"[file:name = 'foo.dll'] AND [process:name = 'cmd.exe']",
         kMatch,
         {"od-1", "od-3", "od-5"}},
        {"[file:name = 'foo.dll'] AND [file:size = 1024]", kNoMatch, {}},  // only one observation
        {"[process:name = 'cmd.exe'] AND [process:pid = 4] AND [process:pid = 4]",
         kMatch,
         {"od-3", "od-5"}},  // od-3 counts twice (number_observed 2), od-5 once
        {"[process:name = 'cmd.exe'] AND [process:pid = 4] AND [process:pid = 4] AND [process:pid "
         "= 4]",
         kNoMatch,
         {}},
        {"[file:name = 'foo.dll'] OR [ipv4-addr:value = '9.9.9.9']", kMatch, {"od-1"}},
        {"[file:name = 'foo.dll'] FOLLOWEDBY [domain-name:value = 'www.example.com']",
         kMatch,
         {"od-1", "od-4"}},
        {"[domain-name:value = 'www.example.com'] FOLLOWEDBY [file:name = 'foo.dll']",
         kNoMatch,
         {}},
        {"([file:name = 'foo.dll'] FOLLOWEDBY [network-traffic:dst_port = 443]) FOLLOWEDBY "
         "[domain-name:value = 'www.example.com']",
         kMatch,
         {"od-1", "od-2", "od-4"}},
    });
}

TEST_CASE("qualifiers: WITHIN, REPEATS, START/STOP") {
    check_cases({
        {"([file:name = 'foo.dll'] AND [network-traffic:dst_port = 443]) WITHIN 60 SECONDS",
         kMatch,
         {"od-1", "od-2"}},
        {"([file:name = 'foo.dll'] AND [network-traffic:dst_port = 443]) WITHIN 59 SECONDS",
         kNoMatch,
         {}},
        {"([file:name = 'foo.dll'] FOLLOWEDBY [domain-name:value = 'www.example.com']) WITHIN 300 "
         "SECONDS",
         kNoMatch,
         {}},
        {"[process:name = 'cmd.exe'] REPEATS 3 TIMES", kMatch, {"od-3", "od-5"}},
        {"[process:name = 'cmd.exe'] REPEATS 4 TIMES", kNoMatch, {}},
        {"[process:name = 'cmd.exe'] REPEATS 2 TIMES WITHIN 60 SECONDS", kMatch, {"od-3"}},
        {"[process:name = 'cmd.exe'] REPEATS 3 TIMES WITHIN 60 SECONDS", kNoMatch, {}},
        {"[file:name = 'foo.dll'] START t'2020-01-01T00:00:00Z' STOP t'2020-01-01T00:01:00Z'",
         kMatch,
         {"od-1"}},
        {"[network-traffic:dst_port = 443] START t'2020-01-01T00:00:00Z' STOP "
         "t'2020-01-01T00:01:00Z'",
         kNoMatch,
         {}},  // STOP is exclusive
        {"[file:name = 'foo.dll'] START t'2020-01-01T00:01:00Z' STOP t'2020-01-01T00:00:00Z'",
         kNoMatch,
         {}},
    });
}

// The reference matcher's test_temporal_qualifiers.py, in STIX 2.1 syntax: alice at
// 13:37:52, bob at 13:37:57, carol at 13:38:02.
TEST_CASE("the reference matcher's temporal qualifier table") {
    ObservationSet set;
    std::string objects = "[";
    const char* names[] = {"alice", "bob", "carol"};
    const char* times[] = {"1994-11-29T13:37:52Z", "1994-11-29T13:37:57Z", "1994-11-29T13:38:02Z"};
    for (int i = 0; i < 3; ++i) {
        objects +=
            std::string(i ? "," : "") + R"({"type":"person","id":"person--)" + std::to_string(i) +
            R"(","name":")" + names[i] + R"("},{"type":"observed-data","id":"od-)" + names[i] +
            R"(","first_observed":")" + times[i] + R"(","last_observed":")" + times[i] +
            R"(","number_observed":1,"object_refs":["person--)" + std::to_string(i) + R"("]})";
    }
    REQUIRE(set.add_document(objects + "]").ok());
    set.finish();
    const std::string t50 = "t'1994-11-29T13:37:50Z'", t52 = "t'1994-11-29T13:37:52Z'",
                      t57 = "t'1994-11-29T13:37:57Z'", t58 = "t'1994-11-29T13:37:58Z'",
                      t59 = "t'1994-11-29T13:37:59Z'";
    const std::vector<std::string> matching = {
        "[person:name = 'bob'] WITHIN 1 SECONDS",
        "[person:name = 'bob'] WITHIN .0001 SECONDS",
        "[person:name = 'alice'] AND [person:name < 'carol'] WITHIN 1 SECONDS",
        "([person:name = 'alice'] AND [person:name < 'carol']) WITHIN 5 SECONDS",
        "([person:name = 'alice'] AND [person:name < 'carol']) WITHIN 6 SECONDS",
        "([person:name = 'alice'] OR [person:name = 'darlene']) WITHIN 1 SECONDS",
        "[person:name = 'bob'] START " + t57 + " STOP " + t58,
        "[person:name LIKE 'a%'] AND [person:name = 'bob'] START " + t57 + " STOP " + t58,
        "([person:name LIKE 'a%'] AND [person:name = 'bob']) START " + t50 + " STOP " + t58,
        "[person:name = 'alice'] OR [person:name = 'darlene'] START " + t57 + " STOP " + t58,
        "([person:name = 'alice'] OR [person:name = 'darlene']) START " + t52 + " STOP " + t58,
        "[person:name MATCHES ''] REPEATS 2 TIMES START " + t50 + " STOP " + t58,
    };
    const std::vector<std::string> not_matching = {
        "([person:name = 'alice'] AND [person:name < 'carol']) WITHIN 4 SECONDS",
        "([person:name = 'alice'] AND [person:name < 'carol']) WITHIN 4.9999 SECONDS",
        "[person:name = 'elizabeth'] WITHIN 10 SECONDS",
        "([person:name < 'alice'] OR [person:name = 'darlene']) WITHIN 10 SECONDS",
        "[person:name = 'bob'] START " + t58 + " STOP " + t58,
        "[person:name = 'bob'] START " + t59 + " STOP " + t58,
        "[person:name = 'bob'] START " + t58 + " STOP " + t59,
        "([person:name LIKE 'a%'] AND [person:name = 'bob']) START " + t50 + " STOP " + t57,
        "([person:name LIKE 'z%'] OR [person:name = 'darlene']) START " + t50 + " STOP " + t57,
        "[person:name MATCHES ''] REPEATS 3 TIMES START " + t50 + " STOP " + t58,
        "[person:name NOT LIKE 'foo'] START " + t50 + " STOP " + t57 + " REPEATS 3 TIMES",
    };
    for (const std::string& p : matching) {
        CAPTURE(p);
        CHECK(run(p, set).status == kMatch);
    }
    for (const std::string& p : not_matching) {
        CAPTURE(p);
        CHECK(run(p, set).status == kNoMatch);
    }
    for (const char* bad :
         {"[person:name = 'alice'] WITHIN 0 SECONDS", "[person:name = 'alice'] WITHIN 1 second",
          "[person:name = 'alice'] WITHIN -123.367 SECONDS",
          "[person:name = 'alice'] START t'1994-11-29t13:37:58Z' STOP "
          "t'1994-11-29T13:37:58Z'",
          "[person:name = 'alice'] START t'1994-11-29T13:37Z' STOP "
          "t'1994-11-29T13:37:58Z'",
          "[person:name = 'alice'] START t'1994-11-29T13:37:58Z'"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_pattern(bad).ok());
    }
}

TEST_CASE("STIX 2.0 observed-data with an embedded objects dictionary") {
    ObservationSet set;
    vigie::Status added = set.add_document(R"([{"type":"observed-data","id":"od-20",
        "first_observed":"2020-01-01T00:00:00Z","last_observed":"2020-01-01T00:00:00Z",
        "number_observed":1,"objects":{"0":{"type":"ipv4-addr","value":"10.1.2.3"},
        "1":{"type":"network-traffic","dst_ref":"0","dst_port":22}}}])");
    REQUIRE(added.ok());
    set.finish();
    CHECK(run("[network-traffic:dst_ref.value ISSUBSET '10.0.0.0/8']", set).observed_data_ids ==
          std::vector<std::string>{"od-20"});
    CHECK(run("[network-traffic:dst_port = 23]", set).status == kNoMatch);
}

TEST_CASE("binary properties (*_bin, *_hex) compare and MATCHES as bytes") {
    ObservationSet set;
    // payload_bin: d4 c3 b2 a1 02 00 04 00, a pcap header (the specification's example)
    vigie::Status added = set.add_document(R"([{"type":"artifact","id":"artifact--1",
        "mime_type":"application/vnd.tcpdump.pcap","payload_bin":"1MOyoQIABAA="},
        {"type":"observed-data","id":"od-b","first_observed":"2020-01-01T00:00:00Z",
         "last_observed":"2020-01-01T00:00:00Z","number_observed":1,"object_refs":["artifact--1"]}])");
    REQUIRE(added.ok());
    set.finish();
    CHECK(
        run(R"([artifact:mime_type = 'application/vnd.tcpdump.pcap' AND artifact:payload_bin MATCHES '\\xd4\\xc3\\xb2\\xa1\\x02\\x00\\x04\\x00'])",
            set)
            .status == kMatch);
    CHECK(run(R"([artifact:payload_bin MATCHES '^\\xc3'])", set).status == kNoMatch);
    CHECK(run("[artifact:payload_bin = h'd4c3b2a102000400']", set).status == kMatch);
    CHECK(run("[artifact:payload_bin = b'1MOyoQIABAA=']", set).status == kMatch);
    CHECK(run("[artifact:payload_bin > h'd4']", set).status == kMatch);
    CHECK(run("[artifact:payload_bin < h'd4']", set).status == kNoMatch);
}

TEST_CASE("bad observation input is refused with a reason") {
    ObservationSet set;
    // The refusal's words (an empty string for a success: these would fail then).
    auto refusal = [&](const std::string& json) {
        vigie::Status added = set.add_document(json);
        return added.ok() ? std::string() : added.error().message;
    };
    CHECK(refusal("{").rfind("invalid JSON", 0) == 0);
    CHECK(refusal(R"({"type":"indicator"})") ==
          R"(expected a STIX bundle ({"type": "bundle", ...}) or an array of objects)");
    CHECK(
        refusal(
            R"([{"type":"observed-data","id":"od-x","first_observed":"2020","last_observed":"2020-01-01T00:00:00Z","number_observed":1,"object_refs":[]}])") ==
        "od-x: first_observed is missing or not a STIX timestamp");
    CHECK(
        refusal(
            R"([{"type":"observed-data","id":"od-y","first_observed":"2020-01-01T00:00:00Z","last_observed":"2020-01-01T00:00:00Z","number_observed":0,"object_refs":["a"]}])") ==
        "od-y: number_observed must be an integer >= 1");
}

TEST_CASE("the evaluator's work is bounded, and unsupported parts are named") {
    ObservationSet set;
    std::string objects = R"([{"type":"ipv4-addr","id":"ip--1","value":"10.0.0.1"})";
    for (int i = 0; i < 200; ++i) objects += "," + observed(i, i % 59 + 1, R"("ip--1")");
    objects += "," + observed(999, 0, R"("ip--1")", 1000000) + "]";
    REQUIRE(set.add_document(objects).ok());
    set.finish();
    PatternParse parse = parse_pattern(
        "[ipv4-addr:value = '10.0.0.1'] AND [ipv4-addr:value = '10.0.0.1'] AND [ipv4-addr:value = "
        "'10.0.0.1']");
    REQUIRE(parse.ok());
    EvalResult r = evaluate(**parse, set, EvalLimits{100000, 1000000});
    CHECK(r.status == EvalResult::Status::LimitHit);
    CHECK(r.detail.find("AND") != std::string::npos);
    CHECK(r.observed_data_ids.empty());
    // number_observed 1000000 expands only to the 3 observations a binding can use
    CHECK(run("[ipv4-addr:value = '10.0.0.1'] START t'2020-01-01T00:00:00Z' STOP "
              "t'2020-01-01T00:00:01Z' REPEATS 3 TIMES",
              set)
              .observed_data_ids == std::vector<std::string>{"od-999"});
    parse = parse_pattern("[ipv4-addr:value = '10.0.0.1'] REPEATS 150 TIMES");
    REQUIRE(parse.ok());
    CHECK(evaluate(**parse, set, EvalLimits{100000, 1000000}).status ==
          EvalResult::Status::LimitHit);

    r = run("[ipv4-addr:value ISSUBSET 'not-a-network']", fixture());
    CHECK(r.status == EvalResult::Status::Unsupported);
    CHECK(r.detail ==
          "column 18: ISSUBSET on a constant that is not an IP address or CIDR network");
}

TEST_CASE("line_rate_terms: the per-event subset") {
    auto terms = [](const std::string& text) {
        PatternParse parse = parse_pattern(text);
        REQUIRE_MESSAGE(parse.ok(), parse.error().message);
        return line_rate_terms(**parse);
    };
    LineRateTerms t = terms(
        "[domain-name:value = 'evil.example'] OR [file:hashes.'sha256' = 'AA' OR file:hashes.md5 "
        "IN ('b1', 'b2')] OR [ipv4-addr:value ISSUBSET '10.0.0.0/8'] OR [url:value LIKE "
        "'http://x/%'] OR [process:name MATCHES '^a.c$'] OR [network-traffic:dst_ref.value = "
        "'1.2.3.4']");
    CHECK(t.unsupported.empty());
    REQUIRE(t.any_of.size() == 8);
    CHECK(t.any_of[0].object_type == "domain-name");
    CHECK(t.any_of[0].object_path == "value");
    CHECK(t.any_of[0].value == "evil.example");
    CHECK(t.any_of[1].object_path == "hashes.SHA-256");
    CHECK(t.any_of[2].object_path == "hashes.MD5");
    CHECK(t.any_of[3].value == "b2");
    CHECK(t.any_of[4].op == TermOp::InNetwork);
    CHECK(t.any_of[4].value == "10.0.0.0/8");
    CHECK(t.any_of[5].op == TermOp::Like);
    CHECK(t.any_of[6].op == TermOp::Matches);
    CHECK(t.any_of[6].value == "^a.c$");
    CHECK(t.any_of[7].object_path == "dst_ref.value");
    CHECK(
        terms("[file:hashes.SHA1 = 'x'] OR [file:hashes.'SHA3-256' = 'y']").any_of[0].object_path ==
        "hashes.SHA-1");

    struct Refused {
        std::string pattern;
        std::string unsupported;
    };
    for (const Refused& r : std::vector<Refused>{
             {"[a:b = 'x'] OR [file:name = 'a' AND file:size = 'b']",
              "column 33: AND within an observation is not matched per event"},
             {"[a:b = 'x'] AND [a:c = 'y']",
              "column 13: AND between observations needs several events"},
             {"[a:b = 'x'] FOLLOWEDBY [a:c = 'y']",
              "column 13: FOLLOWEDBY needs several events in time order"},
             {"[a:b = 'x'] WITHIN 5 SECONDS",
              "column 13: qualifiers (WITHIN, REPEATS, START/STOP) need an observation set, not "
              "one event"},
             {"[a:b != 'x']", "column 6: != is not matched per event"},
             {"[a:b NOT = 'x']", "column 10: NOT is not matched per event"},
             {"[file:size = 5]", "column 14: only string constants are matched per event"},
             {"[a:b IN ('x', 2)]", "column 15: only string constants are matched per event"},
             {"[a:b[*] = 'x']", "column 2: list indexes ([n], [*]) are not matched per event"},
             {"[EXISTS a:b]", "column 2: EXISTS is not matched per event"},
             {"[file:name ISSUBSET '10.0.0.0/8']",
              "column 12: ISSUBSET is matched per event only on ipv4-addr:value and "
              "ipv6-addr:value"},
         }) {
        CAPTURE(r.pattern);
        LineRateTerms refused = terms(r.pattern);
        CHECK(refused.unsupported == r.unsupported);
        CHECK(refused.any_of.empty());
    }
}
