// SPDX-License-Identifier: EUPL-1.2
#include "pipeline/scan/batch_scanner.hpp"

#include <cctype>
#include <charconv>
#include <utility>

#include "core/clock.hpp"
#include "core/json_text.hpp"
#include "core/text.hpp"
#include "pipeline/alerts/alert_id.hpp"

namespace vigie {

namespace {

const std::vector<std::string> kNoKeyFields;

AlertOptions options_with_level(Level min_level) {
    AlertOptions options;
    options.min_level = min_level;
    return options;
}

}  // namespace

BatchScanner::BatchScanner(std::shared_ptr<const Ruleset> ruleset, const AlertFormat& format,
                           AlertOptions options)
    : ruleset_(ruleset),
      detector_(std::move(ruleset)),
      parser_(detector_.ruleset().trie(), detector_.ruleset().needs_all_strings()),
      format_(format),
      options_(std::move(options)),
      details_reader_(options_.content,
                      options_.suppressor ? options_.suppressor->key_fields() : kNoKeyFields) {
    if (options_.indicators) indicator_lookup_ = options_.indicators->lookup(detector_.ruleset());
    if (indicator_lookup_) {
        indicator_hits_.reserve(16);
        indicator_rule_.status = "stable";
        indicator_rule_.tags.reserve(2);
    }
}

BatchScanner::BatchScanner(std::shared_ptr<const Ruleset> ruleset, const AlertFormat& format,
                           Level min_level)
    : BatchScanner(std::move(ruleset), format, options_with_level(min_level)) {}

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

// The alert of `rule` on the current event; its uid (a function of the rule, the agency and
// the minified event) is computed into uid_, which the alert points at.
Alert BatchScanner::make_alert(const ScanBatch& batch, const RawDocument& doc, const Rule& rule,
                               const EventDetails& details) {
    compute_alert_id(rule.id, batch.agency, minified_event_, uid_);
    Alert alert{rule, *batch.source, doc.index, doc.line, minified_event_, batch.agency};
    alert.uid = uid_;
    alert.time_ms = batch_time_ms_;
    alert.event_time_ms = details.time_ms;
    alert.host = details.host;
    alert.matched = matched_fields_;
    alert.include_event = options_.content.include_event;
    alert.event_subset = details.subset;
    alert.event_minified = true;
    return alert;
}

void BatchScanner::emit_alert(ScanBatch& batch, const RawDocument& doc, uint32_t rule_index,
                              const EventDetails& details) {
    const Rule& rule = detector_.ruleset().rules()[rule_index].rule;
    detector_.explain(rule_index, matched_fields_);
    Alert alert = make_alert(batch, doc, rule, details);
    alert.undecided = detector_.undecided(rule_index);
    AlertSuppressor* suppressor = options_.suppressor;
    if (suppressor && suppressor->enabled() &&
        !suppressor->admit(alert, details.key, batch_time_ms_, ruleset_)) {
        ++batch.suppressed_alerts;
        return;
    }
    batch.matched_rules.push_back(&rule);
    deliver(batch, alert);
}

void BatchScanner::deliver(ScanBatch& batch, const Alert& alert) {
    ++batch.counters.alerts_by_level[static_cast<size_t>(alert.rule.level)];
    if (options_.records) {
        fill_record(alert, format_, batch.records.add());
    } else {
        format_.append(alert, batch.alerts);
    }
}

namespace {

// An indicator's confidence (0-100, STIX 2.1 appendix A's scale) as an alert level.
Level indicator_level(int confidence) {
    if (confidence < 0 || confidence >= 70) return Level::High;
    return confidence >= 30 ? Level::Medium : Level::Low;
}

}  // namespace

// Indicator alerts are not suppressed (the suppressor keys by ruleset rule) and carry
// their TLP as a tag ("tlp:red"), which the forwarding outputs enforce.
void BatchScanner::emit_indicator_alert(ScanBatch& batch, const RawDocument& doc,
                                        const IndicatorHit& hit, const EventDetails& details) {
    const AlertIndicator& v = hit.indicator;
    Rule& rule = indicator_rule_;
    rule.level = indicator_level(v.confidence);
    if (rule.level < options_.min_level) return;
    rule.id.assign(v.id);
    rule.title.assign("Threat indicator: ");
    rule.title.append(v.name.empty() ? v.id : v.name);
    rule.tags.resize(2);
    rule.tags[0] = "stix.indicator";
    rule.tags[1].assign("tlp:");
    append_ascii_lower(rule.tags[1], v.tlp.substr(4));  // "TLP:AMBER" -> "amber"
    matched_fields_.assign(1, MatchedField{"indicator", hit.field, hit.value});
    Alert alert = make_alert(batch, doc, rule, details);
    alert.indicator = &v;
    deliver(batch, alert);
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
    for (uint32_t r : detector_.regex_limit_rules())
        batch.regex_limit_rules.push_back(&rules[r].rule);
    bool read = false;
    EventDetails details;
    auto read_details = [&] {
        if (read) return;
        minified_event_.clear();
        append_minified_json(minified_event_, {doc.data, doc.size});
        details = details_reader_.read(minified_event_);
        read = true;
    };
    for (uint32_t r : matches_) {
        if (rules[r].rule.level < options_.min_level) continue;
        read_details();
        emit_alert(batch, doc, r, details);
    }
    if (!indicator_lookup_) return;
    indicator_lookup_->match(detector_.event(), batch_time_ms_ * 1000, indicator_hits_);
    for (const IndicatorHit& hit : indicator_hits_) {
        read_details();
        emit_indicator_alert(batch, doc, hit, details);
    }
}

// Scans the documents of the line document `first` starts, and returns one past them. A
// line is accepted or rejected whole (the reader keeps a line's documents in one batch):
// when it holds several documents (rare), they are all parsed before any is scanned, and
// one that cannot be parsed rejects the line, so that no alert comes from a rejected line.
size_t BatchScanner::scan_line(ScanBatch& batch, size_t first) {
    const DocumentBatch& input = batch.input;
    const uint64_t line = input.document(first).line;
    size_t end = first + 1;
    if (input.whole_lines()) {
        while (end < input.document_count() && input.document(end).line == line) ++end;
    }
    for (size_t d = first; end - first > 1 && d < end; ++d) {
        const RawDocument doc = input.document(d);
        std::string_view error = parser_.parse(doc, detector_.event());
        if (error.empty()) continue;
        for (size_t i = first; i < end; ++i) batch.counters.bytes += input.document(i).size;
        reject(batch, line, error);
        return end;
    }
    for (size_t d = first; d < end; ++d) scan_document(batch, input.document(d));
    return end;
}

// Documents and the reader's problems, interleaved in input order.
void BatchScanner::scan(ScanBatch& batch) {
    batch.clear_results();
    batch_time_ms_ = unix_now_ms();
    if (indicator_lookup_) indicator_lookup_->refresh();
    const auto& problems = batch.input.problems();
    size_t p = 0;
    const size_t n = batch.input.document_count();
    for (size_t d = 0; d <= n;) {
        for (; p < problems.size() && problems[p].before <= d; ++p) {
            reject(batch, problems[p].problem.line, problems[p].problem.message);
        }
        if (d == n) break;
        d = scan_line(batch, d);
    }
}

}  // namespace vigie
