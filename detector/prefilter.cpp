// SPDX-License-Identifier: EUPL-1.2
#include "detector/prefilter.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <stdexcept>
#include <tuple>

#include "detector/parallel_for.hpp"

namespace vigie {

namespace {

// \A, \z and \Z would anchor at the ends of the joined text, not of each string.
bool anchors_to_text(const std::string& regex) {
    return regex.find("\\A") != std::string::npos || regex.find("\\z") != std::string::npos ||
           regex.find("\\Z") != std::string::npos;
}

unsigned regex_flags(const Trigger& t) {
    unsigned f = HS_FLAG_PREFILTER | HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY;
    if (t.flags.caseless) f |= HS_FLAG_CASELESS;
    if (t.flags.multiline || t.field == kKeywordField) f |= HS_FLAG_MULTILINE;
    if (t.flags.dotall) f |= HS_FLAG_DOTALL;
    return f;
}

}  // namespace

void Prefilter::compile_all(std::vector<DatabaseJob>& jobs, const DatabaseCache& cache) {
    parallel_for(jobs.size(), [&](size_t i) { compile_database(jobs[i], cache); });
}

Prefilter::~Prefilter() {
    for (auto& d : databases_) hs_free_database(d.db);
    hs_free_scratch(scratch_);
}

// Every rule's plan with identical patterns and trigger sets shared: a pattern is
// scanned for once and marks each set it belongs to.
struct Prefilter::SetTable {
    // field, regex, text, caseless, re|m, re|s, re|i, anchors
    using PatternKey = std::tuple<FieldId, bool, std::string, bool, bool, bool, bool, uint8_t>;
    std::map<PatternKey, uint32_t> pattern_ids;
    std::vector<const Trigger*> patterns;
    std::vector<std::vector<uint32_t>> pattern_sets;    // pattern -> the sets it is in
    std::map<std::vector<uint32_t>, uint32_t> set_ids;  // its patterns, ascending -> set
    std::vector<std::vector<uint32_t>> plans;           // per rule: sets, lead first

    uint32_t pattern(const Trigger& t) {
        PatternKey key{t.field,           t.regex,        t.text,           t.caseless,
                       t.flags.multiline, t.flags.dotall, t.flags.caseless, t.anchors};
        auto [it, added] = pattern_ids.emplace(std::move(key), patterns.size());
        if (added) {
            patterns.push_back(&t);
            pattern_sets.emplace_back();
        }
        return it->second;
    }
    uint32_t set(const TriggerSet& triggers) {
        std::vector<uint32_t> ids;
        for (const Trigger& t : triggers) ids.push_back(pattern(t));
        std::sort(ids.begin(), ids.end());
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
        auto [it, added] = set_ids.emplace(ids, set_ids.size());
        if (added) {
            for (uint32_t p : ids) pattern_sets[p].push_back(it->second);
        }
        return it->second;
    }
};

namespace {

// A set made only of the logsource's whole-value tests: part of its rule's gate.
bool is_gate_set(const TriggerSet& set) {
    return std::all_of(set.begin(), set.end(),
                       [](const Trigger& t) { return t.logsource && t.exact(); });
}

bool usable_plan(const std::optional<TriggerPlan>& plan) {
    return plan && std::none_of(plan->begin(), plan->end(), [](const TriggerSet& set) {
               return std::any_of(set.begin(), set.end(), [](const Trigger& t) {
                   return t.regex && t.field == kKeywordField && anchors_to_text(t.text);
               });
           });
}

}  // namespace

// The databases to build: one per field, kind (literal or regex) and gate. Whole-value
// literals are never gated: they are what opens the gates.
std::vector<Prefilter::DatabaseJob> Prefilter::plan_jobs(
    SetTable& table, const std::vector<std::optional<TriggerPlan>>& plans) {
    std::map<std::vector<uint32_t>, uint32_t> gate_ids{{{}, 0}};
    using JobKey = std::tuple<FieldId, bool, uint32_t>;
    std::map<JobKey, std::vector<uint32_t>> job_patterns;
    for (size_t i = 0; i < plans.size(); ++i) {
        if (!usable_plan(plans[i])) continue;
        auto& plan = table.plans[i];
        std::vector<uint32_t> gate_key;
        for (const TriggerSet& set : *plans[i]) {
            const uint32_t id = table.set(set);
            if (std::find(plan.begin(), plan.end(), id) == plan.end()) plan.push_back(id);
            if (is_gate_set(set)) gate_key.push_back(id);
        }
        std::sort(gate_key.begin(), gate_key.end());
        gate_key.erase(std::unique(gate_key.begin(), gate_key.end()), gate_key.end());
        auto [gate, added] = gate_ids.emplace(gate_key, static_cast<uint32_t>(gate_ids.size()));
        if (added) {
            gate_sets_.insert(gate_sets_.end(), gate_key.begin(), gate_key.end());
            gate_offsets_.push_back(static_cast<uint32_t>(gate_sets_.size()));
        }
        for (const TriggerSet& set : *plans[i]) {
            for (const Trigger& t : set) {
                job_patterns[{t.field, t.regex, t.exact() ? 0 : gate->second}].push_back(
                    table.pattern(t));
            }
        }
    }
    std::vector<DatabaseJob> jobs;
    jobs.reserve(job_patterns.size());
    for (auto& [key, patterns] : job_patterns) {
        std::sort(patterns.begin(), patterns.end());
        patterns.erase(std::unique(patterns.begin(), patterns.end()), patterns.end());
        DatabaseJob& job = jobs.emplace_back();
        std::tie(job.field, job.regex, job.gate) = key;
        for (uint32_t p : patterns) {
            const Trigger* t = table.patterns[p];
            if (t->exact()) {
                job.exact.push_back({t->text, t->caseless, table.pattern_sets[p]});
            } else {
                job.patterns.push_back(t);
                job.sets.push_back(table.pattern_sets[p]);
            }
        }
    }
    return jobs;
}

void Prefilter::build(const std::vector<std::optional<TriggerPlan>>& plans,
                      const std::vector<uint32_t>& rule_ids, size_t rule_count,
                      const DatabaseCache& cache, Diagnostics& diags) {
    SetTable table;
    table.plans.resize(plans.size());
    std::vector<DatabaseJob> jobs = plan_jobs(table, plans);
    compile_all(jobs, cache);
    std::vector<uint8_t> rejected(table.set_ids.size(), 0);
    for (auto& job : jobs) {  // in (field, kind, gate) order, whatever thread compiled what
        if (job.result) databases_.push_back(std::move(*job.result));
        pattern_count_ += job.kept;
        cached_ += job.cached ? 1 : 0;
        for (uint32_t s : job.rejected_sets) rejected[s] = 1;
        std::move(job.diags.begin(), job.diags.end(), std::back_inserter(diags));
    }
    // A set with a rejected pattern could be missed: its rules are always evaluated.
    for (auto& plan : table.plans) {
        if (std::any_of(plan.begin(), plan.end(), [&](uint32_t s) { return rejected[s] != 0; }))
            plan.clear();
    }
    index_plans(table, rule_ids, rule_count);
    all_rules_ = rule_ids;
    std::sort(all_rules_.begin(), all_rules_.end());
    for (const auto& d : databases_) {
        if (d.db != nullptr && hs_alloc_scratch(d.db, &scratch_) != HS_SUCCESS)
            throw std::runtime_error("hs_alloc_scratch failed");
    }
}

// The lookups candidates() makes: rules by their lead set, other sets by rule.
void Prefilter::index_plans(const SetTable& table, const std::vector<uint32_t>& rule_ids,
                            size_t rule_count) {
    std::vector<std::vector<uint32_t>> led(table.set_ids.size());
    std::vector<const std::vector<uint32_t>*> by_rule(rule_count, nullptr);
    for (size_t i = 0; i < table.plans.size(); ++i) {
        if (table.plans[i].empty()) {
            always_.push_back(rule_ids[i]);
            continue;
        }
        led[table.plans[i].front()].push_back(rule_ids[i]);
        by_rule[rule_ids[i]] = &table.plans[i];
    }
    std::sort(always_.begin(), always_.end());
    for (const auto& rules : led) {
        set_rules_.insert(set_rules_.end(), rules.begin(), rules.end());
        set_rules_offsets_.push_back(static_cast<uint32_t>(set_rules_.size()));
    }
    for (const auto* plan : by_rule) {
        if (plan != nullptr) rule_sets_.insert(rule_sets_.end(), plan->begin() + 1, plan->end());
        rule_sets_offsets_.push_back(static_cast<uint32_t>(rule_sets_.size()));
    }
}

size_t Prefilter::hyperscan_databases() const {
    return static_cast<size_t>(std::count_if(databases_.begin(), databases_.end(),
                                             [](const Database& d) { return d.db != nullptr; }));
}

void Prefilter::index_paths(const FieldTable& fields, size_t path_count) {
    std::vector<std::vector<uint32_t>> by_path(path_count);
    for (size_t d = 0; d < databases_.size(); ++d) {
        if (databases_[d].field == kKeywordField) {
            keyword_databases_.push_back(&databases_[d]);
            continue;
        }
        const auto paths = fields.paths(databases_[d].field);
        for (size_t i = 0; i < paths.size(); ++i)
            by_path[paths[i]].push_back(static_cast<uint32_t>(d) | (i == 0 ? kFirstPath : 0U));
    }
    for (const auto& dbs : by_path) {
        path_databases_.insert(path_databases_.end(), dbs.begin(), dbs.end());
        path_databases_offsets_.push_back(static_cast<uint32_t>(path_databases_.size()));
    }
}

// Compiles one database; a pattern Hyperscan rejects is dropped with a warning and its
// rules become always evaluated. Runs on several threads: touches only `job`.
void Prefilter::compile_database(DatabaseJob& job, const DatabaseCache& cache) {
    const auto& patterns = job.patterns;
    const auto& pattern_sets = job.sets;
    const bool regex = job.regex;
    auto& diags = job.diags;
    std::vector<size_t> keep(patterns.size());
    for (size_t i = 0; i < keep.size(); ++i) keep[i] = i;
    hs_database_t* db = nullptr;
    bool first_attempt = true;
    while (!keep.empty()) {
        PatternList list;
        list.literal = !regex;
        for (size_t k = 0; k < keep.size(); ++k) {
            const Trigger* t = patterns[keep[k]];
            list.expressions.push_back(t->text.c_str());
            list.lengths.push_back(t->text.size());
            // An anchored literal may occur elsewhere first: every occurrence is reported.
            list.flags.push_back(regex ? regex_flags(*t)
                                       : ((t->anchors == 0 ? HS_FLAG_SINGLEMATCH : 0U) |
                                          (t->caseless ? HS_FLAG_CASELESS : 0U)));
            list.ids.push_back(static_cast<unsigned>(k));
        }
        // Only a database that compiled whole is cached, so a hit means no pattern was
        // rejected.
        const DatabaseKey key = list.key();
        if (first_attempt && (db = cache.load(key)) != nullptr) {
            job.cached = true;
            break;
        }
        hs_compile_error_t* err = nullptr;
        const auto count = static_cast<unsigned>(list.expressions.size());
        hs_error_t rc =
            regex ? hs_compile_multi(list.expressions.data(), list.flags.data(), list.ids.data(),
                                     count, HS_MODE_BLOCK, nullptr, &db, &err)
                  : hs_compile_lit_multi(list.expressions.data(), list.flags.data(),
                                         list.ids.data(), list.lengths.data(), count, HS_MODE_BLOCK,
                                         nullptr, &db, &err);
        if (rc == HS_SUCCESS) {
            if (first_attempt) cache.store(key, db, diags);
            break;
        }
        first_attempt = false;
        if (err == nullptr || err->expression < 0) {
            std::string msg = err != nullptr ? err->message : "unknown error";
            hs_free_compile_error(err);
            throw std::runtime_error("Hyperscan failed to compile the prefilter: " + msg);
        }
        // Read before the error is freed (it was read after: a use-after-free).
        const auto rejected = static_cast<size_t>(err->expression);
        size_t bad = keep[rejected];
        diags.push_back({Severity::Warning,
                         {},
                         {},
                         "prefilter: Hyperscan rejects /" + patterns[bad]->text + "/ (" +
                             err->message + "); its rules are evaluated on every event"});
        hs_free_compile_error(err);
        job.rejected_sets.insert(job.rejected_sets.end(), pattern_sets[bad].begin(),
                                 pattern_sets[bad].end());
        keep.erase(keep.begin() + static_cast<std::ptrdiff_t>(rejected));
        db = nullptr;
    }
    if (db == nullptr && job.exact.empty()) return;
    Database d{job.field, job.gate, db, {}, {0}, {}, ExactValueIndex(job.exact)};
    for (size_t k : keep) {
        d.patterns.push_back(
            {static_cast<uint32_t>(patterns[k]->text.size()), patterns[k]->anchors});
        d.sets.insert(d.sets.end(), pattern_sets[k].begin(), pattern_sets[k].end());
        d.offsets.push_back(static_cast<uint32_t>(d.sets.size()));
    }
    job.kept = keep.size() + d.exact.size();
    job.result = std::move(d);
}

}  // namespace vigie
