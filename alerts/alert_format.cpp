#include "alerts/alert_format.hpp"

#include <charconv>

#include "alerts/json_text.hpp"

namespace vigie {

namespace {

constexpr size_t kLevelWidth = 13;
constexpr size_t kTitleWidth = 64;
constexpr size_t kIdWidth = 36;

void append_number(std::string& out, uint64_t n) {
    char digits[24];
    auto r = std::to_chars(digits, digits + sizeof digits, n);
    out.append(digits, r.ptr);
}

// Pads with spaces to `width` bytes (titles are mostly ASCII; a column off by a byte
// on a multi-byte title is acceptable in a terminal summary).
void append_padded(std::string& out, std::string_view s, size_t width) {
    out += s;
    if (s.size() < width) out.append(width - s.size(), ' ');
    out += ' ';
}

}  // namespace

void JsonlAlertFormat::append(const Alert& a, std::string& b) const {
    b += R"({"rule":{"id":)";
    append_json_string(b, a.rule.id);
    b += R"(,"title":)";
    append_json_string(b, a.rule.title);
    b += R"(,"level":)";
    append_json_string(b, level_name(a.rule.level));
    b += R"(,"status":)";
    append_json_string(b, a.rule.status);
    b += R"(,"tags":[)";
    for (size_t i = 0; i < a.rule.tags.size(); ++i) {
        if (i > 0) b += ',';
        append_json_string(b, a.rule.tags[i]);
    }
    b += R"(]},"source":{"file":)";
    append_json_string(b, a.source_file);
    b += R"(,"index":)";
    append_number(b, a.index);
    b += R"(,"line":)";
    append_number(b, a.line);
    if (!a.agency.empty()) {
        b += R"(,"agency":)";
        append_json_string(b, a.agency);
    }
    b += R"(},"event":)";
    append_minified_json(b, a.event);
    b += "}\n";
}

TableAlertFormat::TableAlertFormat() {
    append_padded(header_, "LEVEL", kLevelWidth);
    append_padded(header_, "RULE", kTitleWidth);
    append_padded(header_, "RULE ID", kIdWidth);
    header_ += "SOURCE\n";
}

void TableAlertFormat::append(const Alert& a, std::string& out) const {
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
    append_number(out, a.line);
    out += " (#";
    append_number(out, a.index);
    out += ")\n";
}

std::unique_ptr<AlertFormat> make_alert_format(std::string_view name) {
    if (name == "table") return std::make_unique<TableAlertFormat>();
    return std::make_unique<JsonlAlertFormat>();
}

}  // namespace vigie
