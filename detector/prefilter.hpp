#pragma once
// The Hyperscan prefilter: for every rule, a set of literals (or prefilter-mode regexes)
// on its fields such that the rule cannot match unless one of them occurs. One scan per
// field value finds every rule worth evaluating; rules without such a set are always
// evaluated. Over-approximates by design: the evaluator gives the answer.
#include <hs/hs.h>

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "detector/database_cache.hpp"
#include "detector/diagnostic.hpp"
#include "detector/event_fields.hpp"
#include "detector/regex.hpp"

namespace vigie {

struct Trigger {
    FieldId field = kNone;  // kKeywordField: any string of the event
    std::string text;       // a literal, or a regex when `regex`
    bool regex = false;
    bool caseless = true;
    RegexFlags flags;  // regex only
};
using TriggerSet = std::vector<Trigger>;

class Prefilter {
  public:
    Prefilter() = default;
    ~Prefilter();
    Prefilter(const Prefilter&) = delete;
    Prefilter& operator=(const Prefilter&) = delete;

    // triggers[r]: nullopt when rule r must always be evaluated. Inactive rules are not
    // passed. Patterns Hyperscan rejects make their rules always evaluated (a warning).
    // Databases are taken from `cache` when it has them, and stored there otherwise.
    void build(const std::vector<std::optional<TriggerSet>>& triggers,
               const std::vector<uint32_t>& rule_ids, const DatabaseCache& cache,
               Diagnostics& diags);

    struct Database {
        FieldId field = kNone;
        hs_database_t* db = nullptr;
        std::vector<uint32_t> offsets;  // pattern id -> [offsets[id], offsets[id+1]) in rules
        std::vector<uint32_t> rules;
    };
    [[nodiscard]] std::span<const Database> databases() const { return databases_; }
    [[nodiscard]] std::span<const uint32_t> always() const { return always_; }
    [[nodiscard]] size_t pattern_count() const { return pattern_count_; }
    [[nodiscard]] size_t cached_databases() const { return cached_; }
    [[nodiscard]] hs_scratch_t* scratch_prototype() const { return scratch_; }

  private:
    // One database to build: its patterns in, the database and what was rejected out.
    struct DatabaseJob {
        FieldId field = kNone;
        bool regex = false;
        std::vector<const Trigger*> patterns;
        std::vector<std::vector<uint32_t>> rules;  // per pattern
        std::optional<Database> result;
        std::vector<uint32_t> rejected_rules;
        Diagnostics diags;
        size_t kept = 0;
        bool cached = false;
    };
    static void compile_database(DatabaseJob& job, const DatabaseCache& cache);
    static void compile_all(std::vector<DatabaseJob>& jobs, const DatabaseCache& cache);

    std::vector<Database> databases_;
    std::vector<uint32_t> always_;
    hs_scratch_t* scratch_ = nullptr;
    size_t pattern_count_ = 0;
    size_t cached_ = 0;
};

// Per-thread prefilter state: Hyperscan scratch and the candidate set of one event.
class PrefilterScratch {
  public:
    PrefilterScratch(const Prefilter& prefilter, size_t rule_count);
    ~PrefilterScratch();
    PrefilterScratch(const PrefilterScratch&) = delete;
    PrefilterScratch& operator=(const PrefilterScratch&) = delete;

    // The rules worth evaluating for this event, ascending.
    std::span<const uint32_t> candidates(const EventFields& event, const FieldTable& fields);
    void mark(uint32_t rule) {
        if (marked_[rule] == 0) {
            marked_[rule] = 1;
            list_.push_back(rule);
        }
    }

  private:
    void scan(const Prefilter::Database& db, std::string_view text);

    const Prefilter& prefilter_;
    hs_scratch_t* scratch_ = nullptr;
    std::vector<uint8_t> marked_;
    std::vector<uint32_t> list_;
    const Prefilter::Database* current_ = nullptr;
    std::string keywords_;  // the event's strings, joined, for keyword databases
};

}  // namespace vigie
