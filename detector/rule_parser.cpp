// SPDX-License-Identifier: EUPL-1.2
#include "detector/rule_parser.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/input_limits.hpp"
#include "detector/clause_builder.hpp"
#include "detector/condition_parser.hpp"
#include "detector/yaml_bounds.hpp"

namespace vigie {

namespace fs = std::filesystem;

namespace {

bool is_rule_file(const fs::path& p) {
    return p.extension() == ".yml" || p.extension() == ".yaml";
}

std::string scalar_or_empty(const YAML::Node& n) {
    return n && n.IsScalar() ? n.Scalar() : std::string();
}

std::vector<std::string> string_list(const YAML::Node& n) {
    std::vector<std::string> out;
    if (!n) return out;
    if (n.IsScalar()) {
        out.push_back(n.Scalar());
    } else if (n.IsSequence()) {
        for (const auto& item : n) {
            if (item.IsScalar()) out.push_back(item.Scalar());
        }
    }
    return out;
}

// One YAML document of a file's text and the 0-based line it starts on.
struct DocumentText {
    std::string_view text;
    uint32_t first_line = 0;
};

bool is_marker(std::string_view line, std::string_view marker) {
    if (!line.starts_with(marker)) return false;
    return line.size() == marker.size() ||
           std::string_view(" \t\r\n").find(line[marker.size()]) != std::string_view::npos;
}

// True when `text` holds more than blanks, comments and directives.
bool has_content(std::string_view text) {
    size_t first = text.find_first_not_of(" \t\r\n");
    return first != std::string_view::npos && text[first] != '#' && text[first] != '%';
}

// Splits a YAML stream at its document markers ('---' starts a document, '...' ends one,
// both at the start of a line, which YAML reserves for them), so that a syntax error in
// one document loses that document only.
std::vector<DocumentText> split_documents(std::string_view text) {
    std::vector<DocumentText> docs;
    size_t start = 0;
    uint32_t start_line = 0;
    uint32_t line = 0;
    bool content = false;
    for (size_t pos = 0; pos < text.size(); ++line) {
        size_t eol = text.find('\n', pos);
        size_t next = eol == std::string_view::npos ? text.size() : eol + 1;
        std::string_view l = text.substr(pos, next - pos);
        if (is_marker(l, "---")) {
            if (content) {
                docs.push_back({text.substr(start, pos - start), start_line});
                start = pos;
                start_line = line;
            }
            content = has_content(l.substr(3));
        } else if (is_marker(l, "...")) {
            if (content) {
                docs.push_back({text.substr(start, next - start), start_line});
                start = next;
                start_line = line + 1;
            }
            content = false;
        } else if (has_content(l)) {
            content = true;
        }
        pos = next;
    }
    if (start < text.size()) docs.push_back({text.substr(start), start_line});
    return docs;
}

// The top-level id of a document that is not valid YAML, found by its text, if any.
std::string id_in_text(std::string_view text) {
    for (size_t pos = 0; pos < text.size();) {
        size_t eol = text.find('\n', pos);
        size_t next = eol == std::string_view::npos ? text.size() : eol + 1;
        std::string_view l = text.substr(pos, next - pos);
        pos = next;
        if (!l.starts_with("id:")) continue;
        l.remove_prefix(3);
        if (size_t comment = l.find(" #"); comment != std::string_view::npos)
            l = l.substr(0, comment);
        size_t b = l.find_first_not_of(" \t");
        size_t e = l.find_last_not_of(" \t\r\n");
        if (b == std::string_view::npos) return {};
        l = l.substr(b, e - b + 1);
        if (l.size() >= 2 && (l.front() == '\'' || l.front() == '"') && l.back() == l.front()) {
            l = l.substr(1, l.size() - 2);
        }
        return std::string(l);
    }
    return {};
}

}  // namespace

SourceLocation RuleParser::at(const std::string& file, const YAML::Mark& m) const {
    if (m.line < 0) return {file, 0, 0};
    return {file, static_cast<uint32_t>(m.line + 1) + line_offset_,
            static_cast<uint32_t>(m.column + 1)};
}

std::vector<std::string> find_rule_files(const std::vector<std::string>& paths,
                                         Diagnostics& diags) {
    std::vector<std::string> files;
    for (const auto& p : paths) {
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            for (auto it = fs::recursive_directory_iterator(
                     p, fs::directory_options::skip_permission_denied, ec);
                 it != fs::recursive_directory_iterator(); it.increment(ec)) {
                if (ec) break;
                if (it->is_regular_file(ec) && is_rule_file(it->path()))
                    files.push_back(it->path().string());
            }
        } else if (fs::is_regular_file(p, ec)) {
            files.push_back(p);
        } else {
            diags.push_back({Severity::Error, {p, 0, 0}, {}, "no such rule file or directory"});
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

void RuleParser::parse_file(const std::string& path, std::vector<Rule>& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        diags_.push_back({Severity::Error, {path, 0, 0}, {}, "cannot read rule file"});
        return;
    }
    std::stringstream buf;
    buf << in.rdbuf();
    parse_text(buf.str(), path, out);
}

void RuleParser::parse_text(const std::string& text, const std::string& name,
                            std::vector<Rule>& out) {
    for (const DocumentText& piece : split_documents(text)) {
        document_text_ = piece.text;
        line_offset_ = piece.first_line;
        YAML::Node doc;
        try {
            doc = YAML::Load(std::string(piece.text));
        } catch (const YAML::DeepRecursion& e) {
            // yaml-cpp's own bound (2000 levels), far past ours: said in our words.
            ++documents_;
            diags_.push_back({Severity::Error, at(name, e.mark), id_in_text(piece.text),
                              std::string("not valid YAML: ") + nesting_error_text()});
            continue;
        } catch (const YAML::Exception& e) {
            ++documents_;
            diags_.push_back({Severity::Error, at(name, e.mark), id_in_text(piece.text),
                              "not valid YAML: " + e.msg});
            continue;
        }
        if (doc.IsNull()) continue;  // an empty document, e.g. after a trailing '---'
        ++documents_;
        const InputLimits& limits = input_limits();
        if (auto over = check_yaml_bounds(doc, limits.max_nesting_depth, limits.max_rule_nodes)) {
            diags_.push_back({Severity::Error, at(name, over->mark), id_in_text(piece.text),
                              std::move(over->message)});
            continue;
        }
        Rule rule;
        try {
            if (parse_document(doc, name, rule)) out.push_back(std::move(rule));
        } catch (const YAML::Exception& e) {
            diags_.push_back({Severity::Error, at(name, e.mark), rule.id,
                              "unexpected YAML structure: " + e.msg});
        }
    }
    document_text_ = {};
    line_offset_ = 0;
}

bool RuleParser::parse_document(const YAML::Node& doc, const std::string& file, Rule& rule) {
    rule.where = at(file, doc.Mark());
    if (!doc.IsMap()) {
        diags_.push_back({Severity::Error, rule.where, {}, "a Sigma rule is a YAML map"});
        return false;
    }
    rule.id = scalar_or_empty(doc["id"]);
    rule.title = scalar_or_empty(doc["title"]);
    auto fail = [&](const YAML::Node& n, std::string msg) {
        diags_.push_back(
            {Severity::Error, n ? at(file, n.Mark()) : rule.where, rule.id, std::move(msg)});
        return false;
    };
    if (doc["correlation"])
        return fail(doc["correlation"],
                    "correlation rules are not supported by the detection engine");
    if (rule.title.empty()) return fail(doc["title"], "the rule has no title");
    rule.status = scalar_or_empty(doc["status"]);
    rule.description = scalar_or_empty(doc["description"]);
    rule.author = scalar_or_empty(doc["author"]);
    rule.date = scalar_or_empty(doc["date"]);
    rule.modified = scalar_or_empty(doc["modified"]);
    rule.tags = string_list(doc["tags"]);
    rule.references = string_list(doc["references"]);
    rule.falsepositives = string_list(doc["falsepositives"]);
    rule.fields = string_list(doc["fields"]);
    if (auto lvl = doc["level"]; lvl) {
        auto parsed = parse_level(scalar_or_empty(lvl));
        if (!parsed) return fail(lvl, "unknown level '" + scalar_or_empty(lvl) + "'");
        rule.level = *parsed;
    }
    if (auto ls = doc["logsource"]; ls) {
        if (!ls.IsMap()) return fail(ls, "logsource must be a map");
        rule.logsource = {scalar_or_empty(ls["product"]), scalar_or_empty(ls["category"]),
                          scalar_or_empty(ls["service"])};
    }
    auto detection = doc["detection"];
    if (!detection) return fail(doc, "the rule has no detection");
    if (!detection.IsMap()) return fail(detection, "detection must be a map");
    YAML::Mark key = detection.Mark();
    for (const auto& kv : doc) {
        if (kv.first.IsScalar() && kv.first.Scalar() == "detection") key = kv.first.Mark();
    }
    return parse_detection(detection, key, file, rule);
}

bool RuleParser::parse_detection(const YAML::Node& detection, const YAML::Mark& key,
                                 const std::string& file, Rule& rule) {
    ClauseBuilder builder(placeholders_, diags_, rule.id);
    std::vector<std::string> names;
    std::set<std::string> seen;
    YAML::Node condition;
    bool has_condition = false;
    YAML::Mark condition_key;
    auto fail = [&](const YAML::Node& n, std::string msg) {
        diags_.push_back({Severity::Error, at(file, n.Mark()), rule.id, std::move(msg)});
        return false;
    };
    // Every value test counts against max_rule_values as it is built (modifiers such as
    // windash multiply them), so that an oversized rule stops at the clause that passed it.
    uint64_t value_tests = 0;
    auto within_bound = [&](const FieldClause& clause, const YAML::Node& where) {
        value_tests += clause.values.size();
        const uint64_t bound = input_limits().max_rule_values;
        if (value_tests <= bound) return true;
        return fail(where, "the rule compiles to more than " + std::to_string(bound) +
                               " value tests (the bound max_rule_values)");
    };
    auto values_of = [&](const YAML::Node& v, std::vector<RawValue>& out) {
        auto one = [&](const YAML::Node& s) {
            if (s.IsNull()) {
                out.push_back({"", true, at(file, s.Mark())});
            } else if (s.IsScalar()) {
                out.push_back({s.Scalar(), false, at(file, s.Mark())});
            } else {
                return fail(s, "a value must be a string, a number or null");
            }
            return true;
        };
        if (v.IsSequence()) {
            for (const auto& item : v) {
                if (!one(item)) return false;
            }
            return true;
        }
        return one(v);
    };
    auto map_clauses = [&](const YAML::Node& m, std::vector<FieldClause>& out) {
        std::set<std::string> keys;
        for (const auto& kv : m) {
            const std::string key = kv.first.Scalar();
            if (!keys.insert(key).second)
                return fail(kv.first, "duplicate field '" + key + "' in one map");
            ClauseInput input{
                key, at(file, kv.first.Mark()), {}, key.empty() || key.front() == '|'};
            if (!values_of(kv.second, input.values)) return false;
            auto clause = builder.build(input);
            if (!clause || !within_bound(*clause, kv.first)) return false;
            out.push_back(std::move(*clause));
        }
        return true;
    };
    for (const auto& kv : detection) {
        const std::string name = kv.first.Scalar();
        const YAML::Node& body = kv.second;
        if (name == "condition") {
            condition = body;
            has_condition = true;
            condition_key = kv.first.Mark();
            continue;
        }
        if (name == "timeframe") continue;  // belongs to correlations; harmless here
        if (!seen.insert(name).second) return fail(kv.first, "duplicate selection '" + name + "'");
        Selection sel{name, {}, at(file, kv.first.Mark())};
        if (body.IsMap()) {
            sel.alternatives.emplace_back();
            if (!map_clauses(body, sel.alternatives.back())) return false;
        } else if (body.IsSequence() && body.size() > 0 && body[0].IsMap()) {
            for (const auto& item : body) {
                if (!item.IsMap()) return fail(item, "a list of maps cannot mix in plain values");
                sel.alternatives.emplace_back();
                if (!map_clauses(item, sel.alternatives.back())) return false;
            }
        } else if (body.IsSequence() || body.IsScalar()) {
            ClauseInput input{"", sel.where, {}, true};
            if (!values_of(body, input.values)) return false;
            auto clause = builder.build(input);
            if (!clause || !within_bound(*clause, kv.first)) return false;
            sel.alternatives.push_back({std::move(*clause)});
        } else {
            return fail(body, "selection '" + name + "' is empty");
        }
        names.push_back(name);
        rule.selections.push_back(std::move(sel));
    }
    if (!has_condition) {
        diags_.push_back({Severity::Error, at(file, key), rule.id, "detection has no condition"});
        return false;
    }
    if (condition.IsNull()) {
        diags_.push_back(
            {Severity::Error, at(file, condition_key), rule.id, "the condition is empty"});
        return false;
    }
    std::vector<YAML::Node> parts;
    if (condition.IsSequence()) {
        for (const auto& c : condition) parts.push_back(c);
    } else {
        parts.push_back(condition);
    }
    if (parts.empty()) return fail(condition, "the condition is empty");
    // Several conditions: the rule fires when any of them holds.
    ConditionNode any{ConditionNode::Op::Or, 0, 0, {}};
    for (const auto& c : parts) {
        if (!c.IsScalar()) return fail(c, "a condition must be a string");
        auto parsed = parse_condition(c.Scalar(), names, rule.condition);
        if (auto* err = std::get_if<ConditionError>(&parsed)) {
            // The exact column when the condition stands as written on one line (a plain
            // scalar, or a quoted one without escapes, whose mark is the opening quote);
            // the scalar's start otherwise.
            SourceLocation where = at(file, c.Mark());
            const std::string& written = c.Scalar();
            size_t begin =
                static_cast<size_t>(std::max(c.Mark().pos, 0)) + (c.Tag() == "!" ? 1 : 0);
            if (where.column > 0 && written.find('\n') == std::string::npos &&
                begin <= document_text_.size() &&
                document_text_.substr(begin, written.size()) == written) {
                where.column +=
                    static_cast<uint32_t>(begin - static_cast<size_t>(c.Mark().pos) + err->offset);
            }
            diags_.push_back({Severity::Error, where, rule.id, "condition: " + err->message});
            return false;
        }
        any.children.push_back(std::get<uint32_t>(parsed));
    }
    if (any.children.size() == 1) {
        rule.condition.root = any.children.front();
    } else {
        rule.condition.nodes.push_back(std::move(any));
        rule.condition.root = static_cast<uint32_t>(rule.condition.nodes.size() - 1);
    }
    return builder.errors() == 0;
}

}  // namespace vigie
