#pragma once
// The Hyperscan prefilter: for every rule, a few trigger sets on its fields such that
// the rule cannot match unless each set has a pattern that occurs (a literal with its
// anchors, or a prefilter-mode regex). One scan per field value finds every pattern that
// occurs; a rule is worth evaluating when its first (most selective) set is hit and
// every other one too. Rules without triggers are always evaluated. Over-approximates by
// design: the evaluator gives the answer.
#include <hs/hs.h>

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "detector/database_cache.hpp"
#include "detector/diagnostic.hpp"
#include "detector/event_fields.hpp"
#include "detector/exact_value_index.hpp"
#include "detector/regex.hpp"

namespace vigie {

enum TriggerAnchor : uint8_t { kAnchorStart = 1, kAnchorEnd = 2 };

struct Trigger {
    FieldId field = kNone;  // kKeywordField: any string of the event
    std::string text;       // a literal, or a regex when `regex`
    bool regex = false;
    bool caseless = true;
    RegexFlags flags;     // regex only
    uint8_t anchors = 0;  // literal only: TriggerAnchor bits, where in the value it must be
    bool operator==(const Trigger&) const = default;
};
// One of these must occur.
using TriggerSet = std::vector<Trigger>;
// Every set must be hit; the first is the most selective.
using TriggerPlan = std::vector<TriggerSet>;
inline constexpr size_t kMaxRequirements = 8;

class Prefilter {
  public:
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
    // The keyword database, or nullptr.
    [[nodiscard]] const Database* keyword_database() const { return keyword_database_; }
    [[nodiscard]] std::span<const uint32_t> always() const { return always_; }
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

  private:
    // One database to build: its patterns in, the database and what was rejected out.
    struct DatabaseJob {
        FieldId field = kNone;
        bool regex = false;
        std::vector<const Trigger*> patterns;
        std::vector<std::vector<uint32_t>> sets;  // per pattern
        std::vector<ExactValueIndex::Entry> exact;
        std::optional<Database> result;
        std::vector<uint32_t> rejected_sets;
        Diagnostics diags;
        size_t kept = 0;
        bool cached = false;
    };
    static void compile_database(DatabaseJob& job, const DatabaseCache& cache);
    static void compile_all(std::vector<DatabaseJob>& jobs, const DatabaseCache& cache);

    struct SetTable;
    void index_plans(const SetTable& table, const std::vector<uint32_t>& rule_ids,
                     size_t rule_count);

    std::vector<Database> databases_;
    const Database* keyword_database_ = nullptr;
    std::vector<uint32_t> path_databases_offsets_{0};
    std::vector<uint32_t> path_databases_;
    std::vector<uint32_t> always_;
    std::vector<uint32_t> set_rules_offsets_{0};
    std::vector<uint32_t> set_rules_;
    std::vector<uint32_t> rule_sets_offsets_{0};
    std::vector<uint32_t> rule_sets_;
    hs_scratch_t* scratch_ = nullptr;
    size_t pattern_count_ = 0;
    size_t cached_ = 0;
};

// Per-thread prefilter state: Hyperscan scratch, the trigger sets one event hit, and
// its candidate rules.
class PrefilterScratch {
  public:
    explicit PrefilterScratch(const Prefilter& prefilter);
    ~PrefilterScratch();
    PrefilterScratch(const PrefilterScratch&) = delete;
    PrefilterScratch& operator=(const PrefilterScratch&) = delete;

    // The rules worth evaluating for this event, ascending.
    std::span<const uint32_t> candidates(const EventFields& event, const FieldTable& fields);

  private:
    void scan(const Prefilter::Database& db, std::string_view text);
    void hit(uint32_t set) {
        if (hit_[set] == 0) {
            hit_[set] = 1;
            hit_list_.push_back(set);
        }
    }
    [[nodiscard]] bool all_hit(std::span<const uint32_t> sets) const;

    const Prefilter& prefilter_;
    hs_scratch_t* scratch_ = nullptr;
    std::vector<uint8_t> hit_;  // by trigger set
    std::vector<uint32_t> hit_list_;
    std::vector<uint32_t> list_;
    const Prefilter::Database* current_ = nullptr;
    size_t current_size_ = 0;
    std::string keywords_;
    std::string fold_;  // a value folded for exact lookups  // the event's strings, joined, for
                        // keyword databases
};

}  // namespace vigie
