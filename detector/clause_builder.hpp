// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Turns one entry of a Sigma selection ("CommandLine|base64offset|contains: [...]") into
// a FieldClause: parses the modifier chain, applies the transformations in order, and
// builds one exact predicate per resulting value.
#include <optional>
#include <string>
#include <vector>

#include "core/diagnostic.hpp"
#include "detector/placeholders.hpp"
#include "detector/rule.hpp"

namespace vigie {

struct RawValue {
    std::string text;
    bool is_null = false;
    SourceLocation where;
};

struct ClauseInput {
    std::string key;  // "Field|mod|mod"; empty or "|mod..." for keyword clauses
    SourceLocation where;
    std::vector<RawValue> values;
    bool keywords = false;  // values from a plain list: searched in every string field
};

class ClauseBuilder {
  public:
    ClauseBuilder(const Placeholders& placeholders, Diagnostics& diags, std::string rule_id)
        : placeholders_(placeholders), diags_(diags), rule_id_(std::move(rule_id)) {}

    // nullopt when the entry is wrong; the reason is in the diagnostics.
    std::optional<FieldClause> build(const ClauseInput& input);
    // Problems reported for this rule so far (errors only).
    [[nodiscard]] size_t errors() const { return errors_; }

  private:
    struct Modifiers;
    bool parse_modifiers(const ClauseInput& input, Modifiers& mods, FieldClause& clause);
    bool add_value(const RawValue& value, const Modifiers& mods, FieldClause& clause);
    bool add_string_values(const RawValue& value, const Modifiers& mods, FieldClause& clause);
    std::vector<std::string> expand(const RawValue& value, bool& undefined);
    void error(const SourceLocation& where, std::string message);
    void warning(const SourceLocation& where, std::string message);

    const Placeholders& placeholders_;
    Diagnostics& diags_;
    std::string rule_id_;
    size_t errors_ = 0;
    bool input_is_keyword_ = false;
};

}  // namespace vigie
