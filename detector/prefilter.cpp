#include "detector/prefilter.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <stdexcept>
#include <tuple>

#include "detector/parallel_for.hpp"

namespace vigie {

namespace {

// The event's strings are scanned for keywords as one newline-separated text (one call
// instead of one per string): in multi-line mode ^ and $ still hold at each string's
// ends. A match across two strings only adds a candidate; the evaluator decides.
constexpr char kKeywordSeparator = '\n';

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

void Prefilter::build(const std::vector<std::optional<TriggerPlan>>& plans,
                      const std::vector<uint32_t>& rule_ids, size_t rule_count,
                      const DatabaseCache& cache, Diagnostics& diags) {
    SetTable table;
    table.plans.resize(plans.size());
    for (size_t i = 0; i < plans.size(); ++i) {
        const bool usable =
            plans[i] && std::none_of(plans[i]->begin(), plans[i]->end(), [](const TriggerSet& set) {
                return std::any_of(set.begin(), set.end(), [](const Trigger& t) {
                    return t.regex && t.field == kKeywordField && anchors_to_text(t.text);
                });
            });
        if (!usable) continue;
        for (const TriggerSet& set : *plans[i]) {
            const uint32_t id = table.set(set);
            auto& plan = table.plans[i];
            if (std::find(plan.begin(), plan.end(), id) == plan.end()) plan.push_back(id);
        }
    }
    std::map<std::pair<FieldId, bool>, DatabaseJob> jobs_by_kind;
    for (size_t p = 0; p < table.patterns.size(); ++p) {
        const Trigger* t = table.patterns[p];
        DatabaseJob& job = jobs_by_kind[{t->field, t->regex}];
        job.field = t->field;
        job.regex = t->regex;
        if (!t->regex && t->field != kKeywordField && t->anchors == (kAnchorStart | kAnchorEnd)) {
            job.exact.push_back({t->text, t->caseless, table.pattern_sets[p]});
            continue;
        }
        job.patterns.push_back(t);
        job.sets.push_back(table.pattern_sets[p]);
    }
    std::vector<DatabaseJob> jobs;
    jobs.reserve(jobs_by_kind.size());
    for (auto& [kind, job] : jobs_by_kind) jobs.push_back(std::move(job));
    compile_all(jobs, cache);
    std::vector<uint8_t> rejected(table.set_ids.size(), 0);
    for (auto& job : jobs) {  // in field order, whatever thread compiled what
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
            keyword_database_ = &databases_[d];
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
        size_t bad = keep[static_cast<size_t>(err->expression)];
        diags.push_back({Severity::Warning,
                         {},
                         {},
                         "prefilter: Hyperscan rejects /" + patterns[bad]->text + "/ (" +
                             err->message + "); its rules are evaluated on every event"});
        hs_free_compile_error(err);
        job.rejected_sets.insert(job.rejected_sets.end(), pattern_sets[bad].begin(),
                                 pattern_sets[bad].end());
        keep.erase(keep.begin() + static_cast<std::ptrdiff_t>(err->expression));
        db = nullptr;
    }
    if (db == nullptr && job.exact.empty()) return;
    Database d{job.field, db, {}, {0}, {}, ExactValueIndex(job.exact)};
    for (size_t k : keep) {
        d.patterns.push_back(
            {static_cast<uint32_t>(patterns[k]->text.size()), patterns[k]->anchors});
        d.sets.insert(d.sets.end(), pattern_sets[k].begin(), pattern_sets[k].end());
        d.offsets.push_back(static_cast<uint32_t>(d.sets.size()));
    }
    job.kept = keep.size() + d.exact.size();
    job.result = std::move(d);
}

PrefilterScratch::PrefilterScratch(const Prefilter& prefilter)
    : prefilter_(prefilter), hit_(prefilter.set_count(), 0) {
    if (prefilter.scratch_prototype() != nullptr &&
        hs_clone_scratch(prefilter.scratch_prototype(), &scratch_) != HS_SUCCESS) {
        throw std::runtime_error("hs_clone_scratch failed");
    }
}

PrefilterScratch::~PrefilterScratch() {
    hs_free_scratch(scratch_);
}

void PrefilterScratch::scan(const Prefilter::Database& db, std::string_view text) {
    if (!db.exact.empty()) db.exact.find(text, fold_, [this](uint32_t set) { hit(set); });
    if (db.db == nullptr) return;
    current_ = &db;
    current_size_ = text.size();
    auto on_match = [](unsigned id, unsigned long long, unsigned long long to, unsigned,
                       void* ctx) -> int {
        auto* self = static_cast<PrefilterScratch*>(ctx);
        const auto& d = *self->current_;
        const Prefilter::Pattern& p = d.patterns[id];
        if ((p.anchors & kAnchorStart) != 0 && to != p.length) return 0;
        if ((p.anchors & kAnchorEnd) != 0 && to != self->current_size_) return 0;
        for (uint32_t i = d.offsets[id]; i < d.offsets[id + 1]; ++i) self->hit(d.sets[i]);
        return 0;
    };
    hs_scan(db.db, text.data(), static_cast<unsigned>(text.size()), 0, scratch_, on_match, this);
}

bool PrefilterScratch::all_hit(std::span<const uint32_t> sets) const {
    return std::all_of(sets.begin(), sets.end(), [&](uint32_t s) { return hit_[s] != 0; });
}

std::span<const uint32_t> PrefilterScratch::candidates(const EventFields& event,
                                                       const FieldTable& fields) {
    for (uint32_t s : hit_list_) hit_[s] = 0;
    hit_list_.clear();
    list_.assign(prefilter_.always().begin(), prefilter_.always().end());
    // Driven by the paths the event has: a field is scanned from the one path it
    // resolves to, so each database sees a field's values once.
    for (PathId path : event.touched()) {
        const auto values = event.values(path);
        if (values.empty()) continue;
        for (uint32_t entry : prefilter_.databases_on(path)) {
            const Prefilter::Database& db = prefilter_.databases()[entry & ~Prefilter::kFirstPath];
            // A field's first path, when it has values, is what the field resolves to.
            if ((entry & Prefilter::kFirstPath) == 0 &&
                event.resolve(fields, db.field).values.data() != values.data())
                continue;
            for (const FieldValue& v : values) {
                if (v.type != ValueType::Null) scan(db, v.text);
            }
        }
    }
    if (const auto* db = prefilter_.keyword_database()) {
        keywords_.clear();
        for (auto s : event.strings()) {
            keywords_.append(s);
            keywords_ += kKeywordSeparator;
        }
        scan(*db, keywords_);
    }
    for (uint32_t s : hit_list_) {
        for (uint32_t r : prefilter_.rules_led_by(s)) {
            if (all_hit(prefilter_.other_sets(r))) list_.push_back(r);
        }
    }
    std::sort(list_.begin(), list_.end());
    return list_;
}

}  // namespace vigie
