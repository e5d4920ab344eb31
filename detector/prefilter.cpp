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

void Prefilter::build(const std::vector<std::optional<TriggerSet>>& triggers,
                      const std::vector<uint32_t>& rule_ids, const DatabaseCache& cache,
                      Diagnostics& diags) {
    // field -> kind -> unique pattern -> rules
    using Key = std::tuple<std::string, bool, bool, bool, bool>;  // text, caseless, m, s, i
    std::map<std::pair<FieldId, bool>,
             std::map<Key, std::pair<const Trigger*, std::vector<uint32_t>>>>
        groups;
    for (size_t i = 0; i < triggers.size(); ++i) {
        uint32_t rule = rule_ids[i];
        const bool usable =
            triggers[i] &&
            std::none_of(triggers[i]->begin(), triggers[i]->end(), [](const Trigger& t) {
                return t.regex && t.field == kKeywordField && anchors_to_text(t.text);
            });
        if (!usable) {
            always_.push_back(rule);
            continue;
        }
        for (const Trigger& t : *triggers[i]) {
            Key key{t.text, t.caseless, t.flags.multiline, t.flags.dotall, t.flags.caseless};
            auto& slot = groups[{t.field, t.regex}][key];
            slot.first = &t;
            if (slot.second.empty() || slot.second.back() != rule) slot.second.push_back(rule);
        }
    }
    std::vector<DatabaseJob> jobs;
    for (auto& [field_kind, patterns] : groups) {
        DatabaseJob& job = jobs.emplace_back();
        job.field = field_kind.first;
        job.regex = field_kind.second;
        for (auto& [key, entry] : patterns) {
            job.patterns.push_back(entry.first);
            job.rules.push_back(std::move(entry.second));
        }
    }
    compile_all(jobs, cache);
    std::vector<uint32_t> rejected;
    for (auto& job : jobs) {  // in field order, whatever thread compiled what
        if (job.result) databases_.push_back(std::move(*job.result));
        pattern_count_ += job.kept;
        cached_ += job.cached ? 1 : 0;
        rejected.insert(rejected.end(), job.rejected_rules.begin(), job.rejected_rules.end());
        std::move(job.diags.begin(), job.diags.end(), std::back_inserter(diags));
    }
    std::sort(rejected.begin(), rejected.end());
    rejected.erase(std::unique(rejected.begin(), rejected.end()), rejected.end());
    always_.insert(always_.end(), rejected.begin(), rejected.end());
    std::sort(always_.begin(), always_.end());
    for (const auto& d : databases_) {
        if (hs_alloc_scratch(d.db, &scratch_) != HS_SUCCESS)
            throw std::runtime_error("hs_alloc_scratch failed");
    }
}

// Compiles one database; a pattern Hyperscan rejects is dropped with a warning and its
// rules become always evaluated. Runs on several threads: touches only `job`.
void Prefilter::compile_database(DatabaseJob& job, const DatabaseCache& cache) {
    const auto& patterns = job.patterns;
    const auto& pattern_rules = job.rules;
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
            list.flags.push_back(
                regex ? regex_flags(*t)
                      : (HS_FLAG_SINGLEMATCH | (t->caseless ? HS_FLAG_CASELESS : 0)));
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
        job.rejected_rules.insert(job.rejected_rules.end(), pattern_rules[bad].begin(),
                                  pattern_rules[bad].end());
        keep.erase(keep.begin() + static_cast<std::ptrdiff_t>(err->expression));
        db = nullptr;
    }
    if (db == nullptr) return;
    Database d{job.field, db, {0}, {}};
    for (size_t k : keep) {
        d.rules.insert(d.rules.end(), pattern_rules[k].begin(), pattern_rules[k].end());
        d.offsets.push_back(static_cast<uint32_t>(d.rules.size()));
    }
    job.kept = keep.size();
    job.result = std::move(d);
}

PrefilterScratch::PrefilterScratch(const Prefilter& prefilter, size_t rule_count)
    : prefilter_(prefilter), marked_(rule_count, 0) {
    if (prefilter.scratch_prototype() != nullptr &&
        hs_clone_scratch(prefilter.scratch_prototype(), &scratch_) != HS_SUCCESS) {
        throw std::runtime_error("hs_clone_scratch failed");
    }
}

PrefilterScratch::~PrefilterScratch() {
    hs_free_scratch(scratch_);
}

void PrefilterScratch::scan(const Prefilter::Database& db, std::string_view text) {
    current_ = &db;
    auto on_match = [](unsigned id, unsigned long long, unsigned long long, unsigned,
                       void* ctx) -> int {
        auto* self = static_cast<PrefilterScratch*>(ctx);
        const auto& d = *self->current_;
        for (uint32_t i = d.offsets[id]; i < d.offsets[id + 1]; ++i) self->mark(d.rules[i]);
        return 0;
    };
    hs_scan(db.db, text.data(), static_cast<unsigned>(text.size()), 0, scratch_, on_match, this);
}

std::span<const uint32_t> PrefilterScratch::candidates(const EventFields& event,
                                                       const FieldTable& fields) {
    for (uint32_t r : list_) marked_[r] = 0;
    list_.clear();
    for (uint32_t r : prefilter_.always()) mark(r);
    keywords_.clear();
    for (const auto& db : prefilter_.databases()) {
        if (db.field == kKeywordField) {
            if (keywords_.empty()) {
                for (auto s : event.strings()) {
                    keywords_.append(s);
                    keywords_ += kKeywordSeparator;
                }
            }
            scan(db, keywords_);
            continue;
        }
        FieldView view = event.resolve(fields, db.field);
        for (const FieldValue& v : view.values) {
            if (v.type != ValueType::Null) scan(db, v.text);
        }
    }
    std::sort(list_.begin(), list_.end());
    return list_;
}

}  // namespace vigie
