// SPDX-License-Identifier: EUPL-1.2
#include "detector/field_mapping.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "detector/builtin_mappings.hpp"
#include "detector/clause_builder.hpp"

namespace vigie {

namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return fold_ascii(x) == fold_ascii(y);
           });
}

std::optional<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::stringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

}  // namespace

// Reads the YAML of a mapping file into a FieldMapping, reporting with file:line:col.
class MappingReader {
  public:
    MappingReader(std::string origin, Diagnostics& diags)
        : origin_(std::move(origin)), diags_(diags) {}

    std::optional<FieldMapping> read(const YAML::Node& root) {
        if (!root.IsMap()) return fail(root, "a mapping file is a YAML map");
        FieldMapping m;
        m.name_ = scalar(root["name"]);
        std::string key_match = root["key_match"] ? scalar(root["key_match"]) : "exact";
        if (key_match != "exact" && key_match != "ignore_spaces") {
            return fail(root["key_match"], "key_match is 'exact' or 'ignore_spaces'");
        }
        m.ignore_spaces_ = key_match == "ignore_spaces";
        m.products_ = strings(root["products"]);
        m.field_defaults_ = strings(root["field_defaults"]);
        if (!read_fields(root["fields"], m.fields_)) return std::nullopt;
        if (!read_observables(root["observables"], m.observables_)) return std::nullopt;
        if (auto ls = root["logsources"]; ls) {
            if (!ls.IsSequence()) return fail(ls, "logsources is a list");
            for (const auto& entry : ls) {
                if (!read_logsource(entry, m)) return std::nullopt;
            }
        }
        return m;
    }

  private:
    // observables: {STIX object path: [Sigma field, ...]}.
    bool read_observables(const YAML::Node& n,
                          std::vector<std::pair<std::string, std::vector<std::string>>>& out) {
        if (!n) return true;
        if (!n.IsMap()) return fail(n, "observables maps a STIX object path to Sigma fields"), false;
        for (const auto& kv : n) {
            const std::string path = scalar(kv.first);
            if (path.find(':') == std::string::npos || path.front() == ':') {
                return fail(kv.first, "observables: '" + path +
                                          "' is not a STIX object path (type:property)"),
                       false;
            }
            std::vector<std::string> fields = strings(kv.second);
            if (fields.empty() || std::find(fields.begin(), fields.end(), "") != fields.end()) {
                return fail(kv.second, "observables: " + path + " needs field names"), false;
            }
            out.emplace_back(path, std::move(fields));
        }
        return true;
    }
    SourceLocation at(const YAML::Node& n) const {
        auto mark = n.Mark();
        return {origin_, static_cast<uint32_t>(mark.line + 1),
                static_cast<uint32_t>(mark.column + 1)};
    }
    std::nullopt_t fail(const YAML::Node& n, std::string msg) {
        diags_.push_back({Severity::Error, at(n), {}, std::move(msg)});
        return std::nullopt;
    }
    static std::string scalar(const YAML::Node& n) {
        return n && n.IsScalar() ? n.Scalar() : std::string();
    }
    static std::vector<std::string> strings(const YAML::Node& n) {
        std::vector<std::string> out;
        if (n && n.IsScalar()) out.push_back(n.Scalar());
        if (n && n.IsSequence()) {
            for (const auto& v : n) out.push_back(scalar(v));
        }
        return out;
    }

    bool read_fields(const YAML::Node& n, std::map<std::string, std::vector<JsonPath>>& out) {
        if (!n) return true;
        if (!n.IsMap()) {
            fail(n, "fields is a map from Sigma field to JSON path(s)");
            return false;
        }
        for (const auto& kv : n) {
            auto& paths = out[kv.first.Scalar()];
            for (const auto& p : strings(kv.second)) {
                if (p.empty()) {
                    fail(kv.second, "empty JSON path for field '" + kv.first.Scalar() + "'");
                    return false;
                }
                paths.push_back(parse_json_path(p));
            }
        }
        return true;
    }

    bool read_logsource(const YAML::Node& n, FieldMapping& m) {
        if (!n.IsMap()) {
            fail(n, "a logsource entry is a map");
            return false;
        }
        LogsourceEntry e{
            scalar(n["product"]), scalar(n["category"]), scalar(n["service"]), std::nullopt, {}};
        if (auto c = n["conditions"]; c) {
            if (!c.IsSequence()) {
                fail(c, "conditions is a list of maps (any one must hold)");
                return false;
            }
            ClauseBuilder builder(no_placeholders_, diags_, "");
            Selection sel{"logsource", {}, at(c)};
            for (const auto& alt : c) {
                if (!alt.IsMap()) {
                    fail(alt, "each condition is a map of field: value(s)");
                    return false;
                }
                auto& clauses = sel.alternatives.emplace_back();
                for (const auto& kv : alt) {
                    ClauseInput input{kv.first.Scalar(), at(kv.first), {}, false};
                    for (const auto& v : kv.second.IsSequence() ? strings(kv.second)
                                                                : std::vector{scalar(kv.second)}) {
                        input.values.push_back({v, false, at(kv.second)});
                    }
                    auto clause = builder.build(input);
                    if (!clause) return false;
                    clauses.push_back(std::move(*clause));
                }
            }
            e.conditions = std::move(sel);
        }
        if (!read_fields(n["fields"], e.fields)) return false;
        m.logsources_.push_back(std::move(e));
        return true;
    }

    std::string origin_;
    Diagnostics& diags_;
    Placeholders no_placeholders_;
};

std::optional<FieldMapping> FieldMapping::parse(const std::string& text, const std::string& origin,
                                                Diagnostics& diags) {
    try {
        return MappingReader(origin, diags).read(YAML::Load(text));
    } catch (const YAML::Exception& e) {
        diags.push_back({Severity::Error,
                         {origin, static_cast<uint32_t>(e.mark.line + 1),
                          static_cast<uint32_t>(e.mark.column + 1)},
                         {},
                         "not a valid mapping file: " + e.msg});
        return std::nullopt;
    }
}

LogsourceResolution FieldMapping::resolve(const Logsource& ls) const {
    LogsourceResolution res;
    for (const auto& e : logsources_) {
        bool applies = (e.product.empty() || iequals(e.product, ls.product)) &&
                       (e.category.empty() || iequals(e.category, ls.category)) &&
                       (e.service.empty() || iequals(e.service, ls.service));
        if (!applies) continue;
        res.entries.push_back(&e);
        if (!e.category.empty() || !e.service.empty()) res.mapped = true;
    }
    bool product_active =
        std::any_of(products_.begin(), products_.end(),
                    [&](const std::string& p) { return p == "*" || iequals(p, ls.product); });
    res.active = product_active || (ls.product.empty() && res.mapped);
    return res;
}

std::vector<JsonPath> FieldMapping::paths_for(const std::string& field,
                                              const LogsourceResolution& res) const {
    std::vector<JsonPath> out;
    auto add = [&](const JsonPath& p) {
        if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
    };
    for (const auto* e : res.entries) {
        if (auto it = e->fields.find(field); it != e->fields.end()) {
            for (const auto& p : it->second) add(p);
        }
    }
    if (auto it = fields_.find(field); it != fields_.end()) {
        for (const auto& p : it->second) add(p);
        return out;
    }
    for (const auto& tmpl : field_defaults_) {
        std::string path = tmpl;
        for (size_t pos = path.find("{field}"); pos != std::string::npos;
             pos = path.find("{field}", pos + field.size())) {
            path.replace(pos, 7, field);
        }
        add(parse_json_path(path));
    }
    if (field_defaults_.empty() && out.empty()) add(parse_json_path(field));
    return out;
}

std::vector<std::string> builtin_mapping_names() {
    std::vector<std::string> names;
    for (const auto& m : builtin_mappings()) names.emplace_back(m.name);
    return names;
}

std::optional<FieldMapping> load_mapping(const std::string& name_or_path,
                                         const std::vector<std::string>& rule_paths,
                                         Diagnostics& diags) {
    namespace fs = std::filesystem;
    std::error_code ec;
    auto from_file = [&](const std::string& path) -> std::optional<FieldMapping> {
        auto text = read_file(path);
        if (!text) {
            diags.push_back({Severity::Error, {path, 0, 0}, {}, "cannot read mapping file"});
            return std::nullopt;
        }
        return FieldMapping::parse(*text, path, diags);
    };
    if (fs::is_regular_file(name_or_path, ec)) return from_file(name_or_path);
    for (const auto& rp : rule_paths) {
        fs::path candidate = fs::path(rp) / "mappings" / (name_or_path + ".yml");
        if (fs::is_regular_file(candidate, ec)) return from_file(candidate.string());
    }
    for (const auto& m : builtin_mappings()) {
        if (m.name == name_or_path)
            return FieldMapping::parse(std::string(m.text),
                                       "<built-in mapping " + name_or_path + ">", diags);
    }
    std::string known;
    for (const auto& n : builtin_mapping_names()) known += (known.empty() ? "" : ", ") + n;
    diags.push_back(
        {Severity::Error,
         {name_or_path, 0, 0},
         {},
         "no such mapping file, and no built-in mapping of that name (built-in: " + known + ")"});
    return std::nullopt;
}

}  // namespace vigie
