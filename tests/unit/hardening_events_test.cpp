// SPDX-License-Identifier: EUPL-1.2
// Hardening items 1 and 14, on event content: deep nesting is refused at the limit with its
// reason (and nothing recurses past it), a byte order mark starts an input harmlessly, a
// NUL byte is named with its place, a line is accepted or rejected whole, and with a
// repeated key the alert shows the value the rule matched.
#include <doctest/doctest.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "core/input_limits.hpp"
#include "ingest/compact_document.hpp"
#include "ingest/document_splitter.hpp"
#include "ingest/event_parser.hpp"
#include "ingest/input_reader.hpp"
#include "ingest/json_padding.hpp"
#include "pipeline/alerts/alert_format.hpp"
#include "pipeline/scan/batch_scanner.hpp"
#include "service/nats/message_batch.hpp"
#include "tests/support/sigma_harness.hpp"
#include "tests/unit/memory_file.hpp"

using namespace vigie;

namespace {

std::string nested(size_t depth) {  // {"a": + depth-1 arrays: `depth` levels in all
    return "{\"a\":" + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}";
}

// The parser's verdict on one document ("" when accepted).
std::string parse_one(const std::string& json, bool strings = true) {
    PathTrie trie(false);
    trie.add(parse_json_path("a"));
    EventFields fields;
    EventParser parser(trie, strings);
    std::string buffer = json + std::string(kJsonPadding, ' ');
    RawDocument doc{buffer.data(), json.size(), buffer.size(), 1, 0};
    return std::string(parser.parse(doc, fields));
}

struct Read {
    std::vector<std::string> docs;
    std::vector<uint64_t> doc_lines;
    std::vector<std::string> problems;  // "line:message"
    std::vector<uint64_t> problem_lines;
};

class Collect final : public InputSink {
  public:
    explicit Collect(Read& r) : r_(r) {}
    void on_document(const RawDocument& d) override {
        r_.docs.emplace_back(d.data, d.size);
        r_.doc_lines.push_back(d.line);
    }
    void on_problem(const InputProblem& p) override {
        r_.problems.push_back(std::to_string(p.line) + ":" + p.message);
        r_.problem_lines.push_back(p.line);
    }

  private:
    Read& r_;
};

Read read_fd(const std::string& text, size_t chunk, size_t max_event = 1 << 20) {
    const int fd = test::memory_file(text);
    Read r;
    Collect sink(r);
    InputReader reader(fd, max_event, chunk);
    CHECK(reader.read_all(sink).ok());
    return r;
}

// No line is both among the documents' lines and the problems' lines.
bool lines_disjoint(const Read& r) {
    for (uint64_t line : r.problem_lines) {
        for (uint64_t d : r.doc_lines) {
            if (d == line) return false;
        }
    }
    return true;
}

class LimitsGuard {
  public:
    explicit LimitsGuard(uint32_t depth) : saved_(input_limits()) {
        InputLimits l = saved_;
        l.max_nesting_depth = depth;
        configure_input_limits(l);
    }
    ~LimitsGuard() { configure_input_limits(saved_); }
    LimitsGuard(const LimitsGuard&) = delete;
    LimitsGuard& operator=(const LimitsGuard&) = delete;

  private:
    InputLimits saved_;
};

// One scan of `body` (as vigie serve reads a request) through the real reader and scanner.
struct Scanned {
    uint64_t events = 0;
    uint64_t rejected = 0;
    std::string alerts;
    std::string errors;
};

Scanned scan_body(const std::string& rules_yaml, const std::string& body) {
    test::SigmaHarness rules(rules_yaml);
    REQUIRE(rules.errors().empty());
    JsonlAlertFormat format;
    BatchScanner scanner(rules.ruleset(), format, Level::Informational);
    const std::string source = "body";
    ScanBatch batch;
    batch.source = &source;
    Scanned out;
    InputReader reader(body, 1 << 20);
    while (InputReader::filled(reader.next_batch(batch.input))) {
        scanner.scan(batch);
        out.events += batch.counters.events;
        out.rejected += batch.counters.rejected;
        out.alerts += batch.alerts;
        out.errors += batch.errors;
    }
    return out;
}

// Whether an alert of `alerts` is of input line `line`.
bool alert_of_line(const std::string& alerts, uint64_t line) {
    const std::string key = "\"line\":" + std::to_string(line);
    return alerts.find(key + ",") != std::string::npos ||
           alerts.find(key + "}") != std::string::npos;
}

const char* const kWhoami =
    "title: t\nid: r1\nlevel: high\nlogsource: {product: p}\ndetection:\n  sel:\n"
    "    cmd|contains: whoami\n  condition: sel\n";

}  // namespace

TEST_CASE("hardening item 1: deep JSON nesting is rejected with its reason, not a crash") {
    CHECK(input_limits().max_nesting_depth == 64);
    CHECK(std::string(nesting_error_text()) == "nested deeper than 64 levels");
    // The issue's document: 100,000 levels, where the recursion used to exhaust the stack.
    CHECK(parse_one(nested(100000)) == "nested deeper than 64 levels");
    CHECK(parse_one(nested(100000), false) == "nested deeper than 64 levels");
    std::string objects100k;
    for (int i = 0; i < 100000; ++i) objects100k += "{\"a\":";
    objects100k += "1" + std::string(100000, '}');
    CHECK(parse_one(objects100k) == "nested deeper than 64 levels");
    // Exactly at the limit is accepted, one more level is not, objects and arrays alike.
    CHECK(parse_one(nested(64)) == "");
    CHECK(parse_one(nested(65)) == "nested deeper than 64 levels");
    std::string objects = "{\"a\":1";
    for (int i = 1; i < 64; ++i) {
        objects.insert(0, "{\"a\":");
        objects += '}';
    }
    CHECK(parse_one(objects + "}") == "");
    CHECK(parse_one("{\"a\":" + objects + "}}") == "nested deeper than 64 levels");
}

TEST_CASE("hardening item 1: the nesting limit is the one setting of input_limits") {
    LimitsGuard limit(10);
    CHECK(std::string(nesting_error_text()) == "nested deeper than 10 levels");
    CHECK(parse_one(nested(10)) == "");
    CHECK(parse_one(nested(11)) == "nested deeper than 10 levels");
}

TEST_CASE("hardening item 1: a deep line among good ones: only it is rejected, alerts come") {
    const std::string body =
        "{\"cmd\":\"whoami 1\"}\n" + nested(100000) + "\n{\"cmd\":\"whoami 3\"}\n";
    Scanned s = scan_body(kWhoami, body);
    CHECK(s.events == 2);
    CHECK(s.rejected == 1);
    CHECK(s.errors == "body:2: nested deeper than 64 levels\n");
    CHECK(alert_of_line(s.alerts, 1));
    CHECK(alert_of_line(s.alerts, 3));
}

TEST_CASE("hardening item 1: the splitters count depth without stalling or wrapping") {
    // 4 MiB of '[' then as many ']': one document, found in one linear pass whatever the
    // read size; the fast path's counter and the exact path's agree.
    const size_t depth = size_t{2} << 20;
    const std::string deep = "{" + std::string("\"a\":") + std::string(depth, '[') +
                             std::string(depth, ']') + "}\n{\"b\":1}\n";
    CHECK(compact_document_end(deep.data(), 0, deep.size()) == deep.find('\n'));
    for (size_t chunk : {size_t{4096}, size_t{1} << 22}) {
        CAPTURE(chunk);
        Read r = read_fd(deep, chunk, 8 << 20);
        REQUIRE(r.docs.size() == 2);
        CHECK(r.docs[0].size() == deep.find('\n'));
        CHECK(r.problems.empty());
    }
    // Unbalanced: a line that never closes is truncated, not waited on for ever.
    const std::string open = "{\"a\":" + std::string(100000, '[') + "\n{\"b\":1}\n";
    Read r = read_fd(open, 4096);
    CHECK(r.docs == std::vector<std::string>{"{\"b\":1}"});
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems[0].starts_with("1:truncated document"));
}

TEST_CASE("hardening item 14: a byte order mark at the start of an input is skipped") {
    const std::string bom = "\xEF\xBB\xBF";
    for (size_t chunk : {size_t{1}, size_t{2}, size_t{3}, size_t{4}, size_t{4096}}) {
        CAPTURE(chunk);
        Read r = read_fd(bom + "{\"a\":1}\n{\"b\":2}\n", chunk);
        CHECK(r.docs == std::vector<std::string>{"{\"a\":1}", "{\"b\":2}"});
        CHECK(r.problems.empty());
        Read array = read_fd(bom + "[{\"a\":1},{\"b\":2}]", chunk);
        CHECK(array.docs.size() == 2);
        CHECK(array.problems.empty());
        // Only at the start: elsewhere it is a located problem, not silently dropped.
        Read later = read_fd("{\"a\":1}\n" + bom + "{\"b\":2}\n", chunk);
        CHECK(later.docs == std::vector<std::string>{"{\"a\":1}"});
        CHECK(later.problems.size() == 1);
        CHECK(later.problem_lines == std::vector<uint64_t>{2});
    }
    // A request body (the reader over memory) and a NATS message alike.
    Scanned s = scan_body(kWhoami, bom + "{\"cmd\":\"whoami\"}\n");
    CHECK(s.events == 1);
    CHECK(s.rejected == 0);
    CHECK(payload_problem(bom + "{\"a\":1}\n") == "");
    JoinedBody joined;
    joined.append(bom + "{\"a\":1}");
    joined.append(bom + "{\"b\":2}\n");
    CHECK(joined.take_body() == "{\"a\":1}\n{\"b\":2}\n");
}

TEST_CASE("hardening item 14: a NUL byte is reported as such, with its place") {
    const std::string nul(1, '\0');
    CHECK(parse_one("{\"a\":\"x" + nul + "y\"}") == "NUL byte at offset 7 of the document");
    CHECK(parse_one("{\"b\":\"x" + nul + "y\"}", false) == "NUL byte at offset 7 of the document");
    CHECK(parse_one("{\"a\":1," + nul + "\"b\":2}") == "NUL byte at offset 7 of the document");
    CHECK(parse_one("{\"a" + nul + "\":1}") == "NUL byte at offset 3 of the document");
    Read r = read_fd("{\"a\":1}\n" + nul + "\n{\"b\":2}\n", 4096);
    CHECK(r.docs.size() == 2);
    CHECK(r.problems == std::vector<std::string>{"2:NUL byte between documents"});
    Scanned s = scan_body(kWhoami, "{\"cmd\":\"whoami" + nul + "\"}\n{\"cmd\":\"whoami\"}\n");
    CHECK(s.errors == "body:1: NUL byte at offset 14 of the document\n");
    CHECK(s.events == 1);
}

TEST_CASE("hardening item 14: a line is never counted both rejected and accepted") {
    const std::string good = "{\"cmd\":\"whoami\"}";
    // Each line holds a document and something rejected, before or after it.
    const std::vector<std::string> lines = {
        good + " x",                  // a stray scalar after the document
        "x " + good,                  // and before
        good + "}",                   // a stray closing brace
        good + std::string(1, '\0'),  // a NUL byte after it
        "\xEF\xBB\xBF" + good,        // a byte order mark not at the input's start
        good + " {\"cut\":1",         // a truncated second document
        good + " " + nested(1000),    // a second document too deep
        good + " {\"a\":1,,}",        // a second document malformed
    };
    std::string text = good + "\n";
    for (const auto& line : lines) text += line + "\n";
    text += good + "\n";
    const uint64_t last = lines.size() + 2;
    for (size_t chunk : {size_t{1}, size_t{5}, size_t{17}, size_t{4096}}) {
        CAPTURE(chunk);
        Read r = read_fd(text, chunk);
        CHECK(lines_disjoint(r));
        CHECK(r.doc_lines.front() == 1);
        CHECK(r.doc_lines.back() == last);
    }
    // Through the scanner, which parses the documents: one verdict per line, and no alert
    // from a rejected line.
    Scanned s = scan_body(kWhoami, text);
    CHECK(s.events == 2);
    CHECK(s.rejected == lines.size());
    CHECK(alert_of_line(s.alerts, 1));
    CHECK(alert_of_line(s.alerts, last));
    for (uint64_t line = 2; line < last; ++line) {
        CAPTURE(line);
        CHECK_FALSE(alert_of_line(s.alerts, line));
        CHECK(s.errors.find("body:" + std::to_string(line) + ":") != std::string::npos);
    }
    // Several good documents on one line stay accepted, each its own event.
    Scanned two = scan_body(kWhoami, good + good + "\n");
    CHECK(two.events == 2);
    CHECK(two.rejected == 0);
}

TEST_CASE("hardening item 14: a line cut by the end of a read waits for its end") {
    // The documents of line 1 arrive in one read, its stray byte in the next.
    const std::string text = "{\"a\":1}{\"b\":2}} \n{\"c\":3}\n";
    for (size_t chunk : {size_t{14}, size_t{15}, size_t{16}}) {
        CAPTURE(chunk);
        Read r = read_fd(text, chunk);
        CHECK(r.docs == std::vector<std::string>{"{\"c\":3}"});
        REQUIRE(r.problems.size() == 1);
        CHECK(r.problems[0].starts_with("1:unexpected '}'"));
    }
    // A document that begins on line 1 after an accepted one, runs over line 2 and is cut
    // by the end of the input: line 1 is rejected whole (the fuzz target found this).
    const std::string spanning = "{\"a\":\"\\n\"}{\"cut\":x\n\"s\"\n";
    for (size_t chunk : {size_t{3}, size_t{97}, size_t{4096}}) {
        CAPTURE(chunk);
        Read r = read_fd(spanning, chunk);
        CHECK(r.docs.empty());
        REQUIRE(r.problems.size() == 1);
        CHECK(r.problems[0].starts_with("1:truncated document: the input ends inside it"));
    }
}

// Found by fuzz_event_reader: a line whose documents span more than --max-event-bytes is
// not held until its end (memory stays bounded by the limit): its documents are judged one
// by one, so a document accepted early on it stands when a later one on it is cut. Within
// the limit, the line is rejected whole.
TEST_CASE(
    "hardening fuzz: a line longer than the event size limit is judged document by document") {
    const std::string first = "{\"a\":1}";
    const std::string cut = "{\"b\":\"" + std::string(50, 'x');  // 56 bytes, never closed
    const std::string text = first + cut;                        // 63 bytes, all on line 1
    for (size_t chunk : {size_t{1}, size_t{5}, size_t{17}, size_t{97}, size_t{4096}}) {
        CAPTURE(chunk);
        Read small = read_fd(text, chunk, 60);
        CHECK(small.docs == std::vector<std::string>{first});
        REQUIRE(small.problems.size() == 1);
        CHECK(small.problems[0].starts_with("1:truncated document: the input ends inside it"));
        Read large = read_fd(text, chunk, 64);
        CHECK(large.docs.empty());
        REQUIRE(large.problems.size() == 1);
        CHECK(large.problems[0].starts_with("1:truncated document: the input ends inside it"));
    }
}

TEST_CASE("hardening item 14: with a repeated key, matched shows the value the rule matched") {
    const std::string rules =
        "title: t\nid: r1\nlevel: high\nlogsource: {product: p}\ndetection:\n  sel:\n"
        "    Image|endswith: '\\evil.exe'\n  condition: sel\n";
    Scanned s = scan_body(rules, R"({"Image":"C:\\good.exe","Image":"C:\\evil.exe"})"
                                 "\n");
    REQUIRE(s.events == 1);
    CHECK(s.alerts.find(R"("value":"C:\\evil.exe")") != std::string::npos);
    CHECK(s.alerts.find(R"("value":"C:\\good.exe")") == std::string::npos);
}
