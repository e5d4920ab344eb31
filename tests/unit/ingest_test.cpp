// SPDX-License-Identifier: EUPL-1.2
// The reader: documents located across reads of any size, problems located, and the
// event parser keeping exactly the values at the trie's paths.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "detector/event_fields.hpp"
#include "detector/field_paths.hpp"
#include "ingest/document_splitter.hpp"
#include "ingest/event_parser.hpp"
#include "ingest/input_reader.hpp"
#include "ingest/json_padding.hpp"
#include "tests/unit/memory_file.hpp"

using namespace vigie;

namespace {

struct Collected {
    std::vector<std::string> docs;
    std::vector<uint64_t> lines;
    std::vector<uint64_t> indexes;
    std::vector<std::string> problems;  // "line:index:message"
};

class CollectingSink final : public InputSink {
  public:
    explicit CollectingSink(Collected& c) : c_(c) {}
    void on_document(const RawDocument& d) override {
        CHECK(d.capacity >= d.size + kJsonPadding);
        c_.docs.emplace_back(d.data, d.size);
        c_.lines.push_back(d.line);
        c_.indexes.push_back(d.index);
    }
    void on_problem(const InputProblem& p) override {
        c_.problems.push_back(std::to_string(p.line) + ":" + std::to_string(p.index) + ":" +
                              p.message);
    }

  private:
    Collected& c_;
};

Collected read_text(const std::string& text, size_t max_event, size_t chunk) {
    const int fd = test::memory_file(text);
    Collected c;
    CollectingSink sink(c);
    InputReader reader(fd, max_event, chunk);
    CHECK(reader.read_all(sink).ok());
    return c;
}

}  // namespace

TEST_CASE("documents are found whatever the read size") {
    const std::string text =
        "{\"a\":\"x}\\\"{\"}\n"
        "\n"
        "{\n  \"b\": [1, {\"c\": 2}]\n}\n"
        "{\"d\":\"line\\nbreak\"}   {\"e\":1}\n";
    for (size_t chunk : {1UL, 2UL, 3UL, 7UL, 64UL, 4096UL}) {
        CAPTURE(chunk);
        Collected c = read_text(text, 1024, chunk);
        REQUIRE(c.docs.size() == 4);
        CHECK(c.docs[0] == "{\"a\":\"x}\\\"{\"}");
        CHECK(c.docs[1] == "{\n  \"b\": [1, {\"c\": 2}]\n}");
        CHECK(c.docs[3] == "{\"e\":1}");
        CHECK(c.lines == std::vector<uint64_t>{1, 3, 6, 6});
        CHECK(c.indexes == std::vector<uint64_t>{0, 1, 2, 3});
        CHECK(c.problems.empty());
    }
}

TEST_CASE("a top-level JSON array is a list of documents") {
    Collected c = read_text("[\n{\"a\":1},\n {\"b\":2}\n]\n", 1024, 5);
    REQUIRE(c.docs.size() == 2);
    CHECK(c.docs[1] == "{\"b\":2}");
    CHECK(c.lines == std::vector<uint64_t>{2, 3});
}

TEST_CASE("problems are located and counted as documents, and reading goes on") {
    std::string big = "{\"big\":\"" + std::string(100, 'x') + "\"}";
    // The stray '}' has a line of its own: a line holding a problem is rejected whole.
    std::string text = "7\n\"s\"\n" + big + "\n}\n{\"ok\":1}\n{\"cut\":\"abc";
    for (size_t chunk : {3UL, 4096UL}) {
        CAPTURE(chunk);
        Collected c = read_text(text, 64, chunk);
        REQUIRE(c.docs.size() == 1);
        CHECK(c.docs[0] == "{\"ok\":1}");
        CHECK(c.indexes[0] == 3);
        REQUIRE(c.problems.size() == 5);
        CHECK(c.problems[0] == "1:0:document is not a JSON object");
        CHECK(c.problems[1] == "2:1:document is not a JSON object");
        CHECK(c.problems[2].starts_with("3:2:document"));
        CHECK(c.problems[2].find("over the limit of 64 bytes") != std::string::npos);
        CHECK(c.problems[3] == "4:3:unexpected '}' between documents");
        CHECK(c.problems[4] == "6:4:truncated document: the input ends inside it");
    }
}

TEST_CASE("a cut-off NDJSON line does not swallow the lines after it") {
    // Line 2 ends inside an object, line 3 inside a string; pretty-printed documents
    // (a newline right after the brace) may still span lines.
    const std::string text =
        "{\"a\":1}\n"
        "{\"b\":{\"c\":2\n"
        "{\"d\":\"abc\n"
        "{\"e\":3}\n"
        "{\n\"f\":\n{\"g\":4}\n}\n";
    for (size_t chunk : {1UL, 2UL, 5UL, 4096UL}) {
        CAPTURE(chunk);
        Collected c = read_text(text, 1024, chunk);
        REQUIRE(c.docs.size() == 3);
        CHECK(c.docs[1] == "{\"e\":3}");
        CHECK(c.docs[2] == "{\n\"f\":\n{\"g\":4}\n}");
        CHECK(c.lines == std::vector<uint64_t>{1, 4, 5});
        CHECK(c.indexes == std::vector<uint64_t>{0, 3, 4});
        REQUIRE(c.problems.size() == 2);
        CHECK(c.problems[0] ==
              "2:1:truncated document: the next line starts a new document before it ends");
        CHECK(c.problems[1] ==
              "3:2:truncated document: the next line starts a new document before it ends");
    }
}

namespace {

// Values point into the parser's and the input's buffers: both live as long as this.
struct Parsed {
    PathTrie trie;
    EventFields fields;
    std::string buffer;
    std::unique_ptr<EventParser> parser;
    explicit Parsed(bool ignore_spaces) : trie(ignore_spaces) {}
};

std::vector<std::string> texts(const EventFields& f, PathId p) {
    std::vector<std::string> out;
    for (const auto& v : f.values(p)) out.emplace_back(v.text);
    return out;
}

std::string parse_into(Parsed& p, const std::string& json, bool strings = false) {
    p.buffer = json + std::string(kJsonPadding, ' ');
    RawDocument doc{p.buffer.data(), json.size(), p.buffer.size(), 1, 0};
    p.parser = std::make_unique<EventParser>(p.trie, strings);
    return std::string(p.parser->parse(doc, p.fields));
}

}  // namespace

TEST_CASE("an input that cannot be read is an error in strerror's words, then the end") {
    // A directory opens but does not read (EISDIR): the I/O error path of vigie scan.
    const int fd = ::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    InputReader reader(fd, 1024, 64);
    DocumentBatch batch;
    const Result<InputReader::Next> first = reader.next_batch(batch);
    REQUIRE_FALSE(first.ok());
    CHECK(first.error().message == std::strerror(EISDIR));
    CHECK_FALSE(InputReader::filled(first));
    const Result<InputReader::Next> then = reader.next_batch(batch);
    REQUIRE(then.ok());
    CHECK(*then == InputReader::Next::End);

    const int again = ::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    REQUIRE(again >= 0);
    Collected c;
    CollectingSink sink(c);
    const Status all = InputReader(again, 1024, 64).read_all(sink);
    REQUIRE_FALSE(all.ok());
    CHECK(all.error().message == std::strerror(EISDIR));
    CHECK(c.docs.empty());
}

TEST_CASE("the event parser keeps the values at the trie's paths only") {
    Parsed p(true);
    PathId image = p.trie.add(parse_json_path("Event.EventData.Image"));
    PathId user_data = p.trie.add(parse_json_path("Event.UserData.*.User"));
    PathId id_text = p.trie.add(parse_json_path("Event.System.EventID.#text"));
    PathId id = p.trie.add(parse_json_path("Event.System.EventID"));
    PathId threat = p.trie.add(parse_json_path("Event.EventData.ThreatName"));
    PathId list = p.trie.add(parse_json_path("Event.EventData.Data"));
    PathId dotted = p.trie.add(parse_json_path("a\\.b"));
    CHECK(parse_into(p, R"({"Event":{"System":{"EventID":{"#attributes":{"Q":""},"#text":4688}},
        "EventData":{"Image":"C:\\x \u00e9.exe","Threat Name":"Eicar","Data":["one",2,null,{"#text":"t"}],"Other":"no"},
        "UserData":{"LogFileCleared":{"User":"bob"}}},"a.b":true})")
              .empty());
    CHECK(texts(p.fields, image) == std::vector<std::string>{"C:\\x \xc3\xa9.exe"});
    CHECK(texts(p.fields, user_data) == std::vector<std::string>{"bob"});
    CHECK(texts(p.fields, id_text) == std::vector<std::string>{"4688"});
    CHECK(p.fields.values(id_text)[0].type == ValueType::Number);
    CHECK(p.fields.values(id_text)[0].number == 4688);
    CHECK(p.fields.present(id));
    CHECK(p.fields.values(id).empty());  // an object: present, no scalar value
    CHECK(texts(p.fields, threat) == std::vector<std::string>{"Eicar"});
    CHECK(texts(p.fields, list) == std::vector<std::string>{"one", "2", ""});
    CHECK(p.fields.values(list)[2].type == ValueType::Null);
    CHECK(texts(p.fields, dotted) == std::vector<std::string>{"true"});
}

TEST_CASE("keys are compared unescaped, and a bad escape in a key is an error") {
    Parsed p(false);
    PathId image = p.trie.add(parse_json_path("Image"));
    PathId quoted = p.trie.add(parse_json_path("a\"b"));
    CHECK(parse_into(p, R"({"Im\u0061ge":"x.exe","a\"b":1,"\\":2})").empty());
    CHECK(texts(p.fields, image) == std::vector<std::string>{"x.exe"});
    CHECK(texts(p.fields, quoted) == std::vector<std::string>{"1"});
    CHECK_FALSE(parse_into(p, R"({"Im\q":"x.exe"})").empty());
}

TEST_CASE("a field resolves to the first path that holds a value") {
    Parsed p(false);
    FieldTable table;
    PathId a = p.trie.add(parse_json_path("x.NewProcessName"));
    PathId b = p.trie.add(parse_json_path("x.Image"));
    FieldId f = table.intern({a, b}, "Image");
    CHECK(parse_into(p, R"({"x":{"Image":"b.exe"}})").empty());
    auto view = p.fields.resolve(table, f);
    REQUIRE(view.values.size() == 1);
    CHECK(view.values[0].text == "b.exe");
    CHECK(parse_into(p, R"({"x":{"NewProcessName":"a.exe","Image":"b.exe"}})").empty());
    CHECK(p.fields.resolve(table, f).values[0].text == "a.exe");
    CHECK(parse_into(p, R"({"y":1})").empty());
    CHECK_FALSE(p.fields.resolve(table, f).present);
}

TEST_CASE("every string is collected for keyword rules, and bad JSON is an error") {
    Parsed p(false);
    CHECK(parse_into(p, R"({"a":"one","b":{"c":["two",3]}})", true).empty());
    std::vector<std::string> all;
    for (auto s : p.fields.strings()) all.emplace_back(s);
    CHECK(all == std::vector<std::string>{"one", "two"});
    CHECK_FALSE(parse_into(p, R"({"a":1,,"b":2})").empty());
    CHECK_FALSE(parse_into(p, R"({"a":tru})").empty());
    CHECK_FALSE(parse_into(p, "{\"a\":\"\xff\"}").empty());
    CHECK_FALSE(parse_into(p, R"({"a":[1,2})").empty());
}
