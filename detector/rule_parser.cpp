#include "detector/rule_parser.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "detector/clause_builder.hpp"
#include "detector/condition_parser.hpp"

namespace vigie {

namespace fs = std::filesystem;

namespace {

SourceLocation at(const std::string& file, const YAML::Mark& m) {
    if (m.line < 0) return {file, 0, 0};
    return {file, static_cast<uint32_t>(m.line + 1), static_cast<uint32_t>(m.column + 1)};
}

bool is_rule_file(const fs::path& p) { return p.extension() == ".yml" || p.extension() == ".yaml"; }

std::string scalar_or_empty(const YAML::Node& n) { return n && n.IsScalar() ? n.Scalar() : std::string(); }

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

// A condition's text position: exact for plain one-line scalars, the scalar's start otherwise.
SourceLocation offset_location(SourceLocation base, size_t offset) {
    if (base.column > 0) base.column += static_cast<uint32_t>(offset);
    return base;
}

}  // namespace

std::vector<std::string> find_rule_files(const std::vector<std::string>& paths, Diagnostics& diags) {
    std::vector<std::string> files;
    for (const auto& p : paths) {
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            for (auto it = fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied, ec);
                 it != fs::recursive_directory_iterator(); it.increment(ec)) {
                if (ec) break;
                if (it->is_regular_file(ec) && is_rule_file(it->path())) files.push_back(it->path().string());
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

void RuleParser::parse_text(const std::string& text, const std::string& name, std::vector<Rule>& out) {
    std::vector<YAML::Node> docs;
    try {
        docs = YAML::LoadAll(text);
    } catch (const YAML::Exception& e) {
        ++documents_;
        diags_.push_back({Severity::Error, at(name, e.mark), {}, "not valid YAML: " + e.msg});
        return;
    }
    for (const auto& doc : docs) {
        if (doc.IsNull()) continue;  // an empty document, e.g. after a trailing '---'
        ++documents_;
        Rule rule;
        try {
            if (parse_document(doc, name, rule)) out.push_back(std::move(rule));
        } catch (const YAML::Exception& e) {
            diags_.push_back({Severity::Error, at(name, e.mark), rule.id, "unexpected YAML structure: " + e.msg});
        }
    }
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
        diags_.push_back({Severity::Error, n ? at(file, n.Mark()) : rule.where, rule.id, std::move(msg)});
        return false;
    };
    if (doc["correlation"]) return fail(doc["correlation"], "correlation rules are not supported by the detection engine");
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
    return parse_detection(detection, file, rule);
}

bool RuleParser::parse_detection(const YAML::Node& detection, const std::string& file, Rule& rule) {
    ClauseBuilder builder(placeholders_, diags_, rule.id);
    std::vector<std::string> names;
    std::set<std::string> seen;
    YAML::Node condition;
    auto fail = [&](const YAML::Node& n, std::string msg) {
        diags_.push_back({Severity::Error, at(file, n.Mark()), rule.id, std::move(msg)});
        return false;
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
            if (!keys.insert(key).second) return fail(kv.first, "duplicate field '" + key + "' in one map");
            ClauseInput input{key, at(file, kv.first.Mark()), {}, key.empty() || key.front() == '|'};
            if (!values_of(kv.second, input.values)) return false;
            auto clause = builder.build(input);
            if (!clause) return false;
            out.push_back(std::move(*clause));
        }
        return true;
    };
    for (const auto& kv : detection) {
        const std::string name = kv.first.Scalar();
        const YAML::Node& body = kv.second;
        if (name == "condition") {
            condition = body;
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
            if (!clause) return false;
            sel.alternatives.push_back({std::move(*clause)});
        } else {
            return fail(body, "selection '" + name + "' is empty");
        }
        names.push_back(name);
        rule.selections.push_back(std::move(sel));
    }
    if (!condition) return fail(detection, "detection has no condition");
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
            // A quoted scalar's mark is its opening quote.
            size_t quote = c.Tag() == "!" ? 1 : 0;
            diags_.push_back({Severity::Error, offset_location(at(file, c.Mark()), err->offset + quote), rule.id,
                              "condition: " + err->message});
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
