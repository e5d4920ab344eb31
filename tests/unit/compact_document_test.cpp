// SPDX-License-Identifier: EUPL-1.2
// The vectorized whole-line check against a byte-by-byte reference, on random lines made
// of the bytes that matter (quotes, backslash runs, brackets) across 64-byte blocks.
// Backslashes appear only inside strings, as in JSON: outside, the line is invalid
// whatever the split, and the parser rejects it.
#include "ingest/compact_document.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>

using vigie::compact_document_end;

namespace {

// One past the closing brace of the object starting line[0], when only padding follows.
size_t reference_end(const std::string& line) {
    bool in_string = false;
    bool escape = false;
    size_t depth = 0;
    for (size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (in_string) {
            if (escape) {
                escape = false;
            } else if (c == '\\') {
                escape = true;
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            ++depth;
        } else if (c == '}' || c == ']') {
            if (depth == 0) return 0;
            if (--depth == 0) {
                for (size_t k = i + 1; k < line.size(); ++k) {
                    if (line[k] != ' ' && line[k] != '\t' && line[k] != '\r') return 0;
                }
                return i + 1;
            }
        }
    }
    return 0;
}

}  // namespace

TEST_CASE("a line that is one object is found whole, anything else is left to the exact path") {
    auto end = [](const std::string& s) {
        const std::string line = s + "\n{}";
        return compact_document_end(line.data(), 0, line.size());
    };
    CHECK(end(R"({"a":1})") == 7);
    CHECK(end("{\"a\":\"}\"} \r") == 9);
    CHECK(end(R"({"a":"\"}"})") == 11);
    CHECK(end(R"({"a":"\\"})") == 10);
    CHECK(end(R"({"a":1}{"b":2})") == 0);  // two objects on one line
    CHECK(end(R"({"a":"b)") == 0);         // truncated inside a string
    CHECK(end(R"({"a":{"b":1})") == 0);    // truncated between values
    CHECK(end(R"({"a":1},)") == 0);        // an array element
    CHECK(end(R"({"a":"\\\"}"})") == 13);
    const std::string no_newline = R"({"a":1})";
    CHECK(compact_document_end(no_newline.data(), 0, no_newline.size()) == 0);
}

TEST_CASE("the vectorized check agrees with a byte-by-byte one on random lines") {
    std::mt19937_64 rng(20261123);
    const std::string outside = R"({}[]" a:,)";
    const std::string inside = R"("\\\{}[ a)";
    size_t whole = 0;
    for (int n = 0; n < 20000; ++n) {
        std::string line = "{";
        const size_t length = rng() % 300;
        bool in_string = false;
        for (size_t i = 0; i < length; ++i) {
            const std::string& from = in_string ? inside : outside;
            const char c = from[rng() % from.size()];
            line += c;
            if (in_string && c == '\\') {
                line += inside[rng() % inside.size()];
            } else if (c == '"') {
                in_string = !in_string;
            }
        }
        if (rng() % 2 == 0) line += '}';
        // Read through an offset, as in a real buffer.
        std::string buffer = "xx\n" + line + "\nyy";
        const size_t got = compact_document_end(buffer.data(), 3, buffer.size());
        const size_t want = reference_end(line);
        REQUIRE_MESSAGE(got == (want == 0 ? 0 : 3 + want), "line: " << line);
        whole += want != 0 ? 1 : 0;
    }
    CHECK(whole > 100);  // the random lines do exercise the accepting path
}
