// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The compiled, immutable ruleset: rules with their fields resolved to JSON paths, the
// path trie the event reader follows, and the Hyperscan prefilter. Shared read-only by
// every worker thread.
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "detector/field_paths.hpp"
#include "detector/literal_set.hpp"
#include "detector/prefilter.hpp"
#include "detector/rule.hpp"

namespace vigie {

// An event field the mapping says carries an observable ("domain-name:value" in
// QueryName): what threat indicators are matched against.
struct ObservableField {
    std::string stix_path;  // "domain-name:value", "file:hashes" (an "ALG=hex,..." list)
    std::string name;       // the Sigma field name
    FieldId field = kNone;
};

struct CompiledRule {
    Rule rule;           // fields resolved; the logsource condition is part of `condition`
    bool active = true;  // false: a product this mapping does not cover
    bool unmapped_logsource = false;
};

class Ruleset {
  public:
    explicit Ruleset(bool ignore_spaces) : trie_(ignore_spaces) {}
    ~Ruleset();
    Ruleset(const Ruleset&) = delete;
    Ruleset& operator=(const Ruleset&) = delete;

    [[nodiscard]] const std::vector<CompiledRule>& rules() const { return rules_; }
    [[nodiscard]] const PathTrie& trie() const { return trie_; }
    [[nodiscard]] const FieldTable& fields() const { return fields_; }
    [[nodiscard]] const Prefilter& prefilter() const { return prefilter_; }
    // Whether the reader must collect every string of an event (keyword selections).
    [[nodiscard]] bool needs_all_strings() const { return needs_all_strings_; }
    [[nodiscard]] size_t active_rules() const;
    [[nodiscard]] const std::vector<ObservableField>& observable_fields() const {
        return observable_fields_;
    }
    [[nodiscard]] std::span<const std::unique_ptr<LiteralSet>> literal_sets() const {
        return literal_sets_;
    }
    // Large enough for every literal set; each thread clones it.
    [[nodiscard]] hs_scratch_t* literal_scratch_prototype() const { return literal_scratch_; }

  private:
    friend class RulesetCompiler;
    std::vector<CompiledRule> rules_;
    PathTrie trie_;
    FieldTable fields_;
    Prefilter prefilter_;
    bool needs_all_strings_ = false;
    std::vector<ObservableField> observable_fields_;
    std::vector<std::unique_ptr<LiteralSet>> literal_sets_;
    hs_scratch_t* literal_scratch_ = nullptr;
};

}  // namespace vigie
