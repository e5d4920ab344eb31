#include <doctest/doctest.h>

#include <cstdio>
#include <string>

#include "alerts/alert_sink.hpp"
#include "alerts/json_text.hpp"

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

TEST_CASE("a jsonl alert carries the rule, the source and the event") {
    Rule rule;
    rule.id = "r-1";
    rule.title = "T \"quoted\"";
    rule.level = Level::High;
    rule.status = "test";
    rule.tags = {"attack.t1059"};
    char* buf = nullptr;
    size_t len = 0;
    std::FILE* mem = open_memstream(&buf, &len);
    {
        JsonlAlertSink sink(mem);
        sink.write(Alert{rule, "in.json", 3, 7, "{ \"a\" : 1 }"});
        sink.flush();
    }
    std::fclose(mem);
    std::string text(buf, len);
    std::free(buf);
    CHECK(text ==
          "{\"rule\":{\"id\":\"r-1\",\"title\":\"T \\\"quoted\\\"\",\"level\":\"high\",\"status\":\"test\","
          "\"tags\":[\"attack.t1059\"]},\"source\":{\"file\":\"in.json\",\"index\":3,\"line\":7},\"event\":{\"a\":1}}\n");
}
