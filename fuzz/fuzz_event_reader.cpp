// SPDX-License-Identifier: EUPL-1.2
// libFuzzer target: arbitrary bytes as an input stream through the real reader
// (InputReader over a memfd), the document splitter, simdjson and the event parser,
// with a ruleset that needs every string (keyword rule) and the windows mapping's paths.
// Checks that no line is both accepted and rejected (outside a top-level array, whose
// elements are the units, and outside a line whose documents span more than the event
// size limit: the reader then judges them one by one, see input_reader.hpp), and that the
// parser's recursion stays within the nesting limit.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "detector/detector.hpp"
#include "fuzz/fuzz_ruleset.hpp"
#include "ingest/event_parser.hpp"
#include "ingest/input_reader.hpp"

namespace {

using namespace vigie;

constexpr size_t kMaxEventBytes = 4096;

constexpr const char* kRules = R"(
title: keywords
id: k
logsource: {product: windows}
detection:
  keywords: [mimikatz, 'sekurlsa::']
  condition: keywords
---
title: fields
id: f
logsource: {product: windows, category: process_creation}
detection:
  sel:
    CommandLine|contains|windash: ' -enc '
    Image|endswith: '\powershell.exe'
  num:
    EventID|gt: 3
  filter:
    User: null
  condition: (sel or num) and not filter
)";

struct Fixture {
    Fixture() : ruleset(fuzz_ruleset(kRules)) {
        detector = std::make_unique<Detector>(ruleset);
        parser = std::make_unique<EventParser>(ruleset->trie(), ruleset->needs_all_strings());
    }
    std::shared_ptr<const Ruleset> ruleset;
    std::unique_ptr<Detector> detector;
    std::unique_ptr<EventParser> parser;
};

class Sink final : public InputSink {
  public:
    explicit Sink(Fixture& f) : f_(f) {}
    void on_document(const RawDocument& doc) override {
        document_lines.push_back(doc.line);
        documents.emplace_back(doc.data, doc.size);
        if (!f_.parser->parse(doc, f_.detector->event()).empty()) return;
        matches_.clear();
        f_.detector->detect(matches_);
    }
    void on_problem(const InputProblem& problem) override { problem_lines.push_back(problem.line); }

    std::vector<uint64_t> document_lines;
    std::vector<std::string> documents;  // their bytes, as in the input
    std::vector<uint64_t> problem_lines;

  private:
    Fixture& f_;
    std::vector<uint32_t> matches_;
};

bool top_level_array(std::string_view input) {
    if (input.starts_with("\xEF\xBB\xBF")) input.remove_prefix(3);
    const size_t first = input.find_first_not_of(" \t\r\n");
    return first != std::string_view::npos && input[first] == '[';
}

// Where `doc`, which the reader found on 1-based `line`, starts in the input: its first
// occurrence from the start of that line (at or before the real one).
size_t offset_of(std::string_view input, const std::vector<size_t>& line_starts, uint64_t line,
                 const std::string& doc) {
    const size_t from = line - 1 < line_starts.size() ? line_starts[line - 1] : 0;
    const size_t at = input.find(doc, from);
    return at == std::string_view::npos ? from : at;
}

// True when the documents of `line` (the first accepted one there, to the first accepted
// one on a later line or the end of the input) span more than the event size limit: the
// reader has then let the first ones go before the line's end, as documented.
bool judged_one_by_one(std::string_view input, const Sink& sink, uint64_t line) {
    std::vector<size_t> line_starts{0};
    for (size_t i = 0; i < input.size(); ++i)
        if (input[i] == '\n') line_starts.push_back(i + 1);
    const auto& lines = sink.document_lines;
    const auto first = std::find(lines.begin(), lines.end(), line);
    if (first == lines.end()) return false;
    const size_t start = offset_of(input, line_starts, line,
                                   sink.documents[static_cast<size_t>(first - lines.begin())]);
    size_t end = input.size();
    const auto later = std::find_if(first, lines.end(), [line](uint64_t l) { return l > line; });
    if (later != lines.end()) {
        const size_t i = static_cast<size_t>(later - lines.begin());
        end = offset_of(input, line_starts, lines[i], sink.documents[i]);
    }
    return end > start && end - start > kMaxEventBytes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static Fixture fixture;
    int fd = memfd_create("fuzz", MFD_CLOEXEC);
    if (fd < 0) return 0;
    for (size_t off = 0; off < size;) {
        ssize_t n = write(fd, data + off, size - off);
        if (n <= 0) break;
        off += static_cast<size_t>(n);
    }
    lseek(fd, 0, SEEK_SET);
    Sink sink(fixture);
    // A small limit and small reads exercise the oversize path and documents that
    // span reads.
    InputReader reader(fd, kMaxEventBytes, 97);
    (void)reader.read_all(sink);  // a memfd: no I/O error
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    if (!top_level_array(input)) {
        for (uint64_t line : sink.problem_lines) {
            if (std::find(sink.document_lines.begin(), sink.document_lines.end(), line) !=
                    sink.document_lines.end() &&
                !judged_one_by_one(input, sink, line))
                __builtin_trap();  // a line both accepted and rejected
        }
    }
    return 0;
}
