#include "runtime/batch_scanner.hpp"

#include <charconv>
#include <utility>

namespace vigie {

BatchScanner::BatchScanner(std::shared_ptr<const Ruleset> ruleset, const AlertFormat& format,
                           Level min_level)
    : detector_(std::move(ruleset)),
      parser_(detector_.ruleset().trie(), detector_.ruleset().needs_all_strings()),
      format_(format),
      min_level_(min_level) {}

void BatchScanner::reject(ScanBatch& batch, uint64_t line, std::string_view message) {
    ++batch.counters.rejected;
    std::string& e = batch.errors;
    e += *batch.source;
    e += ':';
    char digits[24];
    auto r = std::to_chars(digits, digits + sizeof digits, line);
    e.append(digits, r.ptr);
    e += ": ";
    e += message;
    e += '\n';
    if (batch.keep_rejections) batch.rejections.push_back({line, 0, std::string(message)});
}

void BatchScanner::scan_document(ScanBatch& batch, const RawDocument& doc) {
    batch.counters.bytes += doc.size;
    std::string_view error = parser_.parse(doc, detector_.event());
    if (!error.empty()) {
        reject(batch, doc.line, error);
        return;
    }
    ++batch.counters.events;
    matches_.clear();
    batch.counters.rule_evaluations += detector_.detect(matches_);
    const auto& rules = detector_.ruleset().rules();
    for (uint32_t r : matches_) {
        const Rule& rule = rules[r].rule;
        if (rule.level < min_level_) continue;
        ++batch.counters.alerts_by_level[static_cast<size_t>(rule.level)];
        format_.append(
            Alert{rule, *batch.source, doc.index, doc.line, {doc.data, doc.size}, batch.agency},
            batch.alerts);
    }
}

// Documents and the reader's problems, interleaved in input order.
void BatchScanner::scan(ScanBatch& batch) {
    batch.clear_results();
    const auto& problems = batch.input.problems();
    size_t p = 0;
    const size_t n = batch.input.document_count();
    for (size_t d = 0; d <= n; ++d) {
        for (; p < problems.size() && problems[p].before == d; ++p) {
            reject(batch, problems[p].problem.line, problems[p].problem.message);
        }
        if (d < n) scan_document(batch, batch.input.document(d));
    }
}

}  // namespace vigie
