// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The Hyperscan prefilter: for every rule, a few trigger sets on its fields such that
// the rule cannot match unless each set has a pattern that occurs (a literal with its
// anchors, or a prefilter-mode regex). One scan per field value finds every pattern that
// occurs; a rule is worth evaluating when its first (most selective) set is hit and
// every other one too. Rules without triggers are always evaluated. Over-approximates by
// design: the evaluator gives the answer.
//
// Databases are gated by logsource: a rule's whole-value logsource sets (EventID,
// Channel, Provider) are its gate, looked up first; a database holds the patterns of
// rules with one gate, and is scanned only when that gate's sets were all hit, so that a
// network event never meets the process-creation patterns.
#include <hs/hs.h>

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/diagnostic.hpp"
#include "detector/database_cache.hpp"
#include "detector/event_fields.hpp"
#include "detector/exact_value_index.hpp"
#include "detector/trigger.hpp"

namespace vigie {

class Prefilter {
  public:
    // The event's strings are scanned for keywords as one text with this separator (one
    // call instead of one per string): in multi-line mode ^ and $ still hold at each
    // string's ends. A match across two strings only adds a candidate.
    static constexpr char kKeywordSeparator = '\n';

    Prefilter() = default;
    ~Prefilter();
    Prefilter(const Prefilter&) = delete;
    Prefilter& operator=(const Prefilter&) = delete;

    // plans[i]: nullopt when rule rule_ids[i] must always be evaluated. Inactive rules are
    // not passed. Patterns Hyperscan rejects make their rules always evaluated (a
    // warning). Databases are taken from `cache` when it has them, stored there otherwise.
    void build(const std::vector<std::optional<TriggerPlan>>& plans,
               const std::vector<uint32_t>& rule_ids, size_t rule_count, const DatabaseCache& cache,
               Diagnostics& diags);

    struct Pattern {
        uint32_t length = 0;  // of a literal, for its anchors
        uint8_t anchors = 0;
    };
    struct Database {
        FieldId field = kNone;
        uint32_t gate = 0;              // 0: scanned for every event
        hs_database_t* db = nullptr;    // nullptr when every pattern is in `exact`
        std::vector<Pattern> patterns;  // by pattern id
        // pattern id -> the trigger sets it belongs to: [offsets[id], offsets[id+1])
        std::vector<uint32_t> offsets;
        std::vector<uint32_t> sets;
        ExactValueIndex exact;  // the whole-value literals, looked up instead
    };
    // Which databases scan the values at each JSON path, so that an event costs what
    // its fields hold, not what the ruleset has. Call once after build().
    void index_paths(const FieldTable& fields, size_t path_count);

    [[nodiscard]] std::span<const Database> databases() const { return databases_; }
    // The databases of fields that have `path` among their paths (not the keyword one):
    // indices into databases(), with kFirstPath set when `path` is the field's first.
    static constexpr uint32_t kFirstPath = 1U << 31U;
    [[nodiscard]] std::span<const uint32_t> databases_on(PathId path) const {
        return std::span(path_databases_)
            .subspan(path_databases_offsets_[path],
                     path_databases_offsets_[path + 1] - path_databases_offsets_[path]);
    }
    // The keyword databases.
    [[nodiscard]] std::span<const Database* const> keyword_databases() const {
        return keyword_databases_;
    }
    // The trigger sets gate `gate` needs (gate 0 needs none).
    [[nodiscard]] std::span<const uint32_t> gate_sets(uint32_t gate) const {
        return std::span(gate_sets_)
            .subspan(gate_offsets_[gate], gate_offsets_[gate + 1] - gate_offsets_[gate]);
    }
    [[nodiscard]] std::span<const uint32_t> always() const { return always_; }
    // Every rule passed to build(), ascending.
    [[nodiscard]] std::span<const uint32_t> all_rules() const { return all_rules_; }
    [[nodiscard]] size_t set_count() const { return set_rules_offsets_.size() - 1; }
    // The rules whose first trigger set is `set`.
    [[nodiscard]] std::span<const uint32_t> rules_led_by(uint32_t set) const {
        return std::span(set_rules_)
            .subspan(set_rules_offsets_[set],
                     set_rules_offsets_[set + 1] - set_rules_offsets_[set]);
    }
    // The other trigger sets rule `rule` needs.
    [[nodiscard]] std::span<const uint32_t> other_sets(uint32_t rule) const {
        return std::span(rule_sets_)
            .subspan(rule_sets_offsets_[rule],
                     rule_sets_offsets_[rule + 1] - rule_sets_offsets_[rule]);
    }
    [[nodiscard]] size_t pattern_count() const { return pattern_count_; }
    [[nodiscard]] size_t cached_databases() const { return cached_; }
    // Databases that have Hyperscan patterns (the others are exact lookups only).
    [[nodiscard]] size_t hyperscan_databases() const;
    [[nodiscard]] hs_scratch_t* scratch_prototype() const { return scratch_; }

    // One database to build: its patterns in, the database and what was rejected out.
    struct DatabaseJob {
        FieldId field = kNone;
        bool regex = false;
        uint32_t gate = 0;
        std::vector<const Trigger*> patterns;
        std::vector<std::vector<uint32_t>> sets;  // per pattern
        std::vector<ExactValueIndex::Entry> exact;
        std::optional<Database> result;
        std::vector<uint32_t> rejected_sets;
        Diagnostics diags;
        size_t kept = 0;
        bool cached = false;
    };

  private:
    static void compile_database(DatabaseJob& job, const DatabaseCache& cache);
    static void compile_all(std::vector<DatabaseJob>& jobs, const DatabaseCache& cache);

    struct SetTable;
    std::vector<DatabaseJob> plan_jobs(SetTable& table,
                                       const std::vector<std::optional<TriggerPlan>>& plans);
    void index_plans(const SetTable& table, const std::vector<uint32_t>& rule_ids,
                     size_t rule_count);

    std::vector<Database> databases_;
    std::vector<const Database*> keyword_databases_;
    std::vector<uint32_t> gate_offsets_{0, 0};  // gate 0: no sets
    std::vector<uint32_t> gate_sets_;
    std::vector<uint32_t> path_databases_offsets_{0};
    std::vector<uint32_t> path_databases_;
    std::vector<uint32_t> always_;
    std::vector<uint32_t> all_rules_;
    std::vector<uint32_t> set_rules_offsets_{0};
    std::vector<uint32_t> set_rules_;
    std::vector<uint32_t> rule_sets_offsets_{0};
    std::vector<uint32_t> rule_sets_;
    hs_scratch_t* scratch_ = nullptr;
    size_t pattern_count_ = 0;
    size_t cached_ = 0;
};

}  // namespace vigie
