// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A field-mapping file (docs/mapping-format.md): where Sigma fields are in the JSON
// events, and which events belong to each logsource.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/diagnostic.hpp"
#include "detector/field_paths.hpp"
#include "detector/placeholders.hpp"
#include "detector/rule.hpp"

namespace vigie {

struct LogsourceEntry {
    std::string product;  // empty: any
    std::string category;
    std::string service;
    std::optional<Selection> conditions;  // nullopt: no constraint
    std::map<std::string, std::vector<JsonPath>> fields;
};

// What a mapping says about one rule's logsource.
struct LogsourceResolution {
    bool active = false;  // the rule can fire with this mapping
    bool mapped = false;  // an entry names its category or service
    std::vector<const LogsourceEntry*> entries;
};

class FieldMapping {
  public:
    // From YAML text; `origin` names it in messages. nullopt (with diagnostics) when wrong.
    static std::optional<FieldMapping> parse(const std::string& text, const std::string& origin,
                                             Diagnostics& diags);

    [[nodiscard]] const std::string& name() const { return name_; }
    [[nodiscard]] bool ignore_spaces() const { return ignore_spaces_; }
    [[nodiscard]] LogsourceResolution resolve(const Logsource& ls) const;
    // STIX object paths and the Sigma fields that carry them (the `observables` section).
    [[nodiscard]] const std::vector<std::pair<std::string, std::vector<std::string>>>& observables()
        const {
        return observables_;
    }
    // The paths a Sigma field is looked up at for a rule with this resolution, in order.
    [[nodiscard]] std::vector<JsonPath> paths_for(const std::string& field,
                                                  const LogsourceResolution& res) const;

  private:
    std::string name_;
    bool ignore_spaces_ = false;
    std::vector<std::string> products_;
    std::vector<std::string> field_defaults_;
    std::map<std::string, std::vector<JsonPath>> fields_;
    std::vector<LogsourceEntry> logsources_;
    std::vector<std::pair<std::string, std::vector<std::string>>> observables_;

    friend class MappingReader;
};

// Finds a mapping by file path, or by name among the built-in ones (rules/mappings/*.yml
// embedded at build time) and the `mappings/` folder of each rules path.
std::optional<FieldMapping> load_mapping(const std::string& name_or_path,
                                         const std::vector<std::string>& rule_paths,
                                         Diagnostics& diags);
// Names of the built-in mappings.
std::vector<std::string> builtin_mapping_names();

}  // namespace vigie
