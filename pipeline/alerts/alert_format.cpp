// SPDX-License-Identifier: EUPL-1.2
#include "pipeline/alerts/alert_format.hpp"

#include <array>
#include <charconv>

#include "core/json_text.hpp"
#include "pipeline/alerts/attack_tags.hpp"
#include "pipeline/alerts/matched_json.hpp"

namespace vigie {

namespace {

constexpr size_t kLevelWidth = 13;
constexpr size_t kTitleWidth = 64;
constexpr size_t kIdWidth = 36;

// Pads with spaces to `width` bytes (titles are mostly ASCII; a column off by a byte
// on a multi-byte title is acceptable in a terminal summary).
void append_padded(std::string& out, std::string_view s, size_t width) {
    out += s;
    if (s.size() < width) out.append(width - s.size(), ' ');
    out += ' ';
}

void append_rule(std::string& b, const Rule& rule) {
    b += R"({"id":)";
    append_json_string(b, rule.id);
    b += R"(,"title":)";
    append_json_string(b, rule.title);
    b += R"(,"level":)";
    append_json_string(b, level_name(rule.level));
    b += R"(,"status":)";
    append_json_string(b, rule.status);
    b += R"(,"tags":)";
    append_json_string_list(b, rule.tags);
    b += R"(,"techniques":[)";
    bool first = true;
    for (const auto& tag : rule.tags) {
        if (auto t = attack_technique(tag)) {
            if (!first) b += ',';
            first = false;
            append_json_string(b, *t);
        }
    }
    b += R"(],"references":)";
    append_json_string_list(b, rule.references);
    b += '}';
}

void append_times(std::string& b, const Alert& a) {
    b += R"("time":)";
    append_json_number(b, static_cast<uint64_t>(a.time_ms));
    append_event_span(b, a, "start_time", "end_time");
    b += R"(,"count":)";
    append_json_number(b, a.count);
}

}  // namespace

void append_event_span(std::string& b, const Alert& a, std::string_view first_key,
                       std::string_view last_key) {
    if (!a.event_time_ms) return;
    b += ",\"";
    b += first_key;
    b += "\":";
    append_json_number(b, static_cast<uint64_t>(*a.event_time_ms));
    b += ",\"";
    b += last_key;
    b += "\":";
    append_json_number(b, static_cast<uint64_t>(a.last_event_time_ms.value_or(*a.event_time_ms)));
}

void append_event(std::string& b, const Alert& a) {
    if (!a.event_subset.empty()) {
        b += a.event_subset;
    } else if (a.event_minified) {
        b += a.event;
    } else {
        append_minified_json(b, a.event);
    }
}

void append_source(std::string& b, const Alert& a) {
    b += R"({"file":)";
    append_json_string(b, a.source_file);
    b += R"(,"index":)";
    append_json_number(b, a.index);
    b += R"(,"line":)";
    append_json_number(b, a.line);
    b += '}';
}

void append_event_truncated(std::string& b, const AlertCut& cut) {
    b += R"("event_truncated":{"original_bytes":)";
    append_json_number(b, cut.event_bytes);
    b += R"(,"excerpt":)";
    b += cut.excerpt_json.empty() ? std::string_view("\"\"") : cut.excerpt_json;
    b += '}';
}

size_t json_string_cut(std::string_view literal, size_t max) {
    if (literal.size() < 2) return 0;
    const size_t content_end = literal.size() - 1;  // the closing quote
    size_t pos = 1;
    while (pos < content_end) {
        const auto c = static_cast<unsigned char>(literal[pos]);
        size_t step = 1;
        if (c == '\\')
            step = pos + 1 < content_end && literal[pos + 1] == 'u' ? 6 : 2;
        else if (c >= 0xF0)
            step = 4;
        else if (c >= 0xE0)
            step = 3;
        else if (c >= 0xC0)
            step = 2;
        if (pos + step - 1 > max) break;
        pos += step;
    }
    return pos;
}

// Rare (an alert over the bound): the allocations here are not on the hot path.
void AlertFormat::append_cut(const Alert& a, size_t start, std::string& out) const {
    std::string event;
    if (a.include_event) append_event(event, a);
    AlertCut cut;
    cut.event_bytes = event.size();
    out.resize(start);
    write(a, &cut, out);
    const size_t without_excerpt = out.size() - start;
    if (!a.include_event || without_excerpt >= max_bytes_) return;
    std::string excerpt;
    append_json_string(excerpt, event);
    excerpt.resize(json_string_cut(excerpt, max_bytes_ - without_excerpt));
    excerpt += '"';
    cut.excerpt_json = excerpt;
    out.resize(start);
    write(a, &cut, out);
}

void AlertFormat::append(const Alert& a, std::string& out) const {
    const size_t start = out.size();
    write(a, nullptr, out);
    if (max_bytes_ != 0 && out.size() - start > max_bytes_) append_cut(a, start, out);
}

int ocsf_severity_id(Level level) {
    return static_cast<int>(level) + 1;
}

std::string_view ocsf_severity(Level level) {
    static constexpr std::array<std::string_view, 5> kNames{"Informational", "Low", "Medium",
                                                            "High", "Critical"};
    return kNames[static_cast<size_t>(level)];
}

namespace {

void append_indicator(std::string& b, const AlertIndicator& i) {
    b += R"(,"indicator":{"id":)";
    append_json_string(b, i.id);
    if (!i.name.empty()) {
        b += R"(,"name":)";
        append_json_string(b, i.name);
    }
    b += R"(,"tlp":)";
    append_json_string(b, i.tlp);
    b += R"(,"source":)";
    append_json_string(b, i.source);
    if (i.confidence >= 0) {
        b += R"(,"confidence":)";
        append_json_number(b, static_cast<uint64_t>(i.confidence));
    }
    b += '}';
}

}  // namespace

void JsonlAlertFormat::write(const Alert& a, const AlertCut* cut, std::string& b) const {
    b += R"({"rule":)";
    append_rule(b, a.rule);
    b += R"(,"source":)";
    append_source(b, a);
    b += R"(,"schema_version":)";
    append_json_string(b, kAlertSchemaVersion);
    if (!a.uid.empty()) {
        b += R"(,"uid":)";
        append_json_string(b, a.uid);
    }
    b += ',';
    append_times(b, a);
    b += R"(,"severity":)";
    append_json_string(b, ocsf_severity(a.rule.level));
    b += R"(,"severity_id":)";
    append_json_number(b, static_cast<uint64_t>(ocsf_severity_id(a.rule.level)));
    if (!a.agency.empty()) {
        b += R"(,"agency":)";
        append_json_string(b, a.agency);
    }
    if (a.undecided) b += R"(,"undecided":true)";
    if (!a.host.empty()) {
        b += R"(,"device":{"hostname":)";
        append_json_string(b, a.host);
        b += '}';
    }
    if (a.indicator) append_indicator(b, *a.indicator);
    b += R"(,"matched":)";
    append_matched(b, a.matched, cut ? cut->matched_value_bytes : SIZE_MAX);
    if (a.include_event && cut) {
        b += ',';
        append_event_truncated(b, *cut);
    } else if (a.include_event) {
        b += R"(,"event":)";
        append_event(b, a);
    }
    b += "}\n";
}

TableAlertFormat::TableAlertFormat() {
    append_padded(header_, "LEVEL", kLevelWidth);
    append_padded(header_, "RULE", kTitleWidth);
    append_padded(header_, "RULE ID", kIdWidth);
    header_ += "SOURCE\n";
}

void TableAlertFormat::write(const Alert& a, const AlertCut*, std::string& out) const {
    append_padded(out, level_name(a.rule.level), kLevelWidth);
    std::string_view title = a.rule.title;
    if (title.size() > kTitleWidth) {
        out.append(title.substr(0, kTitleWidth - 3));
        out += "...";
        out += ' ';
    } else {
        append_padded(out, title, kTitleWidth);
    }
    append_padded(out, a.rule.id, kIdWidth);
    out += a.source_file;
    out += ':';
    append_json_number(out, a.line);
    out += " (#";
    append_json_number(out, a.index);
    out += ")\n";
}

std::unique_ptr<AlertFormat> make_alert_format(std::string_view name,
                                               std::string_view product_version) {
    if (name == "table") return std::make_unique<TableAlertFormat>();
    if (name == "jsonl") return std::make_unique<JsonlAlertFormat>();
    if (name == "ocsf") return std::make_unique<OcsfAlertFormat>(std::string(product_version));
    return nullptr;
}

}  // namespace vigie
