// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Reads Sigma rule files (YAML, one or more documents each) into the rule model. Every
// problem becomes a Diagnostic with file:line:col and the rule id; a wrong rule is left
// out and the others still load.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.hpp"
#include "detector/placeholders.hpp"
#include "detector/rule.hpp"

namespace YAML {
class Node;
struct Mark;
}  // namespace YAML

namespace vigie {

// The .yml/.yaml files under each path (a file, or a directory walked recursively),
// sorted so that loading is deterministic.
std::vector<std::string> find_rule_files(const std::vector<std::string>& paths, Diagnostics& diags);

class RuleParser {
  public:
    RuleParser(const Placeholders& placeholders, Diagnostics& diags)
        : placeholders_(placeholders), diags_(diags) {}

    // Appends the rules of one file to `out`.
    void parse_file(const std::string& path, std::vector<Rule>& out);
    // The same for text already in memory; `name` is used in messages.
    void parse_text(const std::string& text, const std::string& name, std::vector<Rule>& out);
    // Rule documents seen, whether they loaded or not.
    [[nodiscard]] size_t documents() const { return documents_; }

  private:
    bool parse_document(const YAML::Node& doc, const std::string& file, Rule& rule);
    bool parse_detection(const YAML::Node& detection, const YAML::Mark& key,
                         const std::string& file, Rule& rule);
    // A position in the document being parsed, as a place in the file.
    [[nodiscard]] SourceLocation at(const std::string& file, const YAML::Mark& mark) const;

    const Placeholders& placeholders_;
    Diagnostics& diags_;
    size_t documents_ = 0;
    // The document being parsed: its text and the 0-based line of the file it starts on.
    std::string_view document_text_;
    uint32_t line_offset_ = 0;
};

}  // namespace vigie
