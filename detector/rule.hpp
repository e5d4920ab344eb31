// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The Sigma rule model: what the parser produces and the compiler turns into something
// that runs. Field names are still Sigma's; the compiler resolves them with a mapping.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.hpp"
#include "core/level.hpp"
#include "detector/predicate.hpp"

namespace vigie {

struct Logsource {
    std::string product;
    std::string category;
    std::string service;
};

// One field of a selection map with its values: any value matches (OR), or every value
// must match with |all. An empty field name is a keyword clause (all string values).
struct FieldClause {
    std::string field;
    std::vector<Predicate> values;
    bool all = false;
    // The value written in the rule that values[i] comes from: one value can expand into
    // several (windash, base64offset, expand), which are alternatives even under |all.
    // Entries are ascending; empty means one predicate per written value.
    std::vector<uint32_t> groups;
    SourceLocation where;
    FieldId field_id = kNone;  // set by the compiler
    // Set by the compiler when many values are simple literals: values[0, literal_count)
    // are then tested together by Ruleset::literal_sets()[literal_set].
    uint32_t literal_set = kNone;
    uint32_t literal_count = 0;

    [[nodiscard]] uint32_t group_of(size_t i) const {
        return groups.empty() ? static_cast<uint32_t>(i) : groups[i];
    }
};

// A named detection item: one or more maps (OR), each a set of clauses (AND).
struct Selection {
    std::string name;
    std::vector<std::vector<FieldClause>> alternatives;
    SourceLocation where;
};

// A condition expression as a flat tree; children are indices into Condition::nodes.
struct ConditionNode {
    enum class Op : uint8_t { And, Or, Not, AtLeast, Selection, True };
    Op op = Op::True;
    uint32_t selection = 0;  // Op::Selection
    uint32_t count = 0;      // Op::AtLeast: how many children must hold
    std::vector<uint32_t> children;
};

struct Condition {
    std::vector<ConditionNode> nodes;
    uint32_t root = 0;
};

struct Rule {
    std::string id;
    std::string title;
    std::string status;
    Level level = Level::Medium;
    std::string description;
    std::string author;
    std::string date;
    std::string modified;
    std::vector<std::string> tags;
    std::vector<std::string> references;
    std::vector<std::string> falsepositives;
    std::vector<std::string> fields;
    Logsource logsource;
    std::vector<Selection> selections;
    Condition condition;
    SourceLocation where;  // the rule's first line
};

}  // namespace vigie
