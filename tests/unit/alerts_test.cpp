// SPDX-License-Identifier: EUPL-1.2
#include <doctest/doctest.h>

#include <random>
#include <string>

#include "core/json_text.hpp"
#include "pipeline/alerts/alert_format.hpp"

using namespace vigie;

TEST_CASE("JSON strings are escaped and always valid UTF-8") {
    std::string out;
    append_json_string(out, "a\"b\\c\n\t\x01 \xc3\xa9 \xff");
    CHECK(out == "\"a\\\"b\\\\c\\n\\t\\u0001 \xc3\xa9 \xef\xbf\xbd\"");
}

TEST_CASE("minified JSON keeps whitespace inside strings only") {
    std::string out;
    append_minified_json(out, "{\n  \"a b\": [1, 2],\n  \"c\": \"x \\\" y\"\n}");
    CHECK(out == R"({"a b":[1,2],"c":"x \" y"})");
}

TEST_CASE("minified JSON: the span-wise minifier agrees with a byte-at-a-time reference") {
    // The reference: outside strings, drop the four JSON blanks; a backslash inside a
    // string protects the next byte.
    auto reference = [](std::string_view doc) {
        std::string out;
        bool in_string = false, escape = false;
        for (char c : doc) {
            if (in_string) {
                out += c;
                if (escape) {
                    escape = false;
                } else if (c == '\\') {
                    escape = true;
                } else if (c == '"') {
                    in_string = false;
                }
            } else if (c == '"') {
                in_string = true;
                out += c;
            } else if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                out += c;
            }
        }
        return out;
    };
    std::mt19937 random(7);
    const std::string alphabet = "{}[]:,\"\\ \n\t\rab1\xc3\xa9";
    for (int round = 0; round < 20000; ++round) {
        std::string doc(random() % 40, ' ');
        for (char& c : doc) c = alphabet[random() % alphabet.size()];
        std::string out = "prefix";
        append_minified_json(out, doc);
        REQUIRE_MESSAGE(out == "prefix" + reference(doc), doc);
    }
}

TEST_CASE("a jsonl alert keeps the rule, the source and the event of schema 1.0") {
    Rule rule;
    rule.id = "r-1";
    rule.title = "T \"quoted\"";
    rule.level = Level::High;
    rule.status = "test";
    rule.tags = {"attack.t1059"};
    std::string text = "kept\n";
    JsonlAlertFormat().append(Alert{rule, "in.json", 3, 7, "{ \"a\" : 1 }"}, text);
    CHECK(text ==
          "kept\n{\"rule\":{\"id\":\"r-1\",\"title\":\"T "
          "\\\"quoted\\\"\",\"level\":\"high\",\"status\":\"test\","
          "\"tags\":[\"attack.t1059\"],\"techniques\":[\"T1059\"],\"references\":[]},"
          "\"source\":{\"file\":\"in.json\",\"index\":3,\"line\":7},\"schema_version\":\"1.0\","
          "\"time\":0,\"count\":1,\"severity\":\"High\",\"severity_id\":4,\"matched\":[],"
          "\"event\":{\"a\":1}}\n");
}

TEST_CASE("a table alert is one aligned line under the header") {
    Rule rule;
    rule.id = "0123";
    rule.title = std::string(70, 'x');
    rule.level = Level::Critical;
    std::string text;
    TableAlertFormat format;
    format.append(Alert{rule, "a.ndjson", 12, 40, "{}"}, text);
    CHECK(text.size() == format.header().size() + std::string_view("a.ndjson:40 (#12)").size() -
                             std::string_view("SOURCE").size());
    CHECK(text.find(std::string(61, 'x') + "... 0123") == 14);
    CHECK(text.substr(0, 9) == "critical ");
    CHECK(text.ends_with("a.ndjson:40 (#12)\n"));
}
