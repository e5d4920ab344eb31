// SPDX-License-Identifier: EUPL-1.2
#include "federation/indicators/indicator_catalog.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "federation/indicators/indicator_matcher.hpp"
#include "federation/stix/pattern_parser.hpp"
#include "federation/stix/tlp_granular.hpp"

namespace vigie {

namespace {

// An indicator as stored and matched, given its granular markings
// (federation/stix/tlp_granular.hpp): its level becomes the least a receiver needs to get it in any
// form (its pattern, which an alert's matched value reveals, is one such property), and the
// properties an alert carries (name, confidence) are dropped when marked above that level, since an
// alert may go wherever that level may. Unreadable markings make it RED (fail closed).
void apply_granular_markings(stix::Indicator& ind) {
    const stix::MarkingSummary m = stix::summarize_markings(ind.json, ind.tlp);
    if (!m.problem.empty()) {
        ind.tlp = stix::Tlp::Red;
        return;
    }
    ind.tlp = std::max(ind.tlp, m.required);
    if (m.name > ind.tlp) ind.name.clear();
    if (m.confidence > ind.tlp) ind.confidence = -1;
}

bool has_granular_markings(const stix::Indicator& ind) {
    return ind.json.find("\"granular_markings\"") != std::string::npos;
}

}  // namespace

IndicatorCatalog::IndicatorCatalog(IndicatorStore& store, size_t max_segments)
    : store_(store), max_segments_(max_segments) {
    Diagnostics ignored;  // reported when the indicators arrived
    auto set = std::make_shared<IndicatorSet>();
    set->segments.push_back(build_from_store(ignored));
    not_matched_ = ignored.size();
    current_.store(std::move(set));
}

IndicatorCatalog::~IndicatorCatalog() {
    wait_idle();
    if (merger_.joinable()) merger_.join();
}

void IndicatorCatalog::compile(IndicatorSegment::Builder& builder, const stix::Indicator& ind,
                               Diagnostics& diags) {
    if (ind.revoked || ind.pattern_type != "stix") return;
    auto not_matched = [&](const std::string& why) {
        diags.push_back({Severity::Warning,
                         {ind.source, 0, 0},
                         ind.id,
                         "stored, not matched per event: " + why});
    };
    stix::PatternParse parsed = stix::parse_pattern(ind.pattern);
    if (!parsed.ok()) return not_matched("pattern: " + parsed.error().message);
    stix::LineRateTerms terms = stix::line_rate_terms(**parsed);
    if (!terms.unsupported.empty()) return not_matched(terms.unsupported);
    if (auto added = builder.add(ind, terms.any_of); !added) not_matched(added.error().message);
}

std::shared_ptr<IndicatorSegment> IndicatorCatalog::build_from_store(Diagnostics& diags) {
    IndicatorSegment::Builder builder;
    store_.for_each_current([&](const stix::Indicator& ind) { compile(builder, ind, diags); });
    return builder.build();
}

void IndicatorCatalog::kill(const IndicatorSet& set, const std::string& id) {
    if (merging_) killed_during_merge_.push_back(id);
    for (const auto& segment : set.segments) {
        segment->find_id(id, [&](uint32_t slot) { segment->kill(slot); });
    }
}

void IndicatorCatalog::publish(std::shared_ptr<const IndicatorSet> set) {
    current_.store(std::move(set), std::memory_order_release);
}

Result<ApplyReport> IndicatorCatalog::apply(const std::vector<stix::Indicator>& given,
                                            int64_t now_us) {
    // Copied only when some indicator carries granular markings (rare): a million-indicator
    // feed without them is not copied.
    std::vector<stix::Indicator> marked;
    if (std::any_of(given.begin(), given.end(), has_granular_markings)) {
        marked = given;
        for (auto& ind : marked)
            if (has_granular_markings(ind)) apply_granular_markings(ind);
    }
    const std::vector<stix::Indicator>& indicators = marked.empty() ? given : marked;
    ApplyReport report;
    std::unique_lock lock(mutex_);
    ++generation_;
    Result<PutResult> stored = store_.put(indicators, now_us);
    if (!stored) return stored.error();
    const PutResult& put = *stored;
    // Several versions of one indicator in one batch: the store kept them in order, and
    // only the newest kept is matched (the others are superseded within the batch).
    std::unordered_map<std::string_view, size_t> newest;
    for (size_t i = 0; i < indicators.size(); ++i)
        if (put.outcomes[i] != PutOutcome::Stale) newest[indicators[i].id] = i;
    auto current = current_.load();
    IndicatorSegment::Builder builder;
    for (size_t i = 0; i < indicators.size(); ++i) {
        const PutOutcome outcome = put.outcomes[i];
        if (outcome == PutOutcome::Stale) {
            ++report.stale;
            continue;
        }
        ++(outcome == PutOutcome::Added ? report.added : report.updated);
        if (outcome == PutOutcome::Updated) kill(*current, indicators[i].id);
        if (newest[indicators[i].id] != i) continue;
        report.revoked += indicators[i].revoked ? 1 : 0;
        compile(builder, indicators[i], report.diagnostics);
    }
    for (const auto& id : put.evicted) kill(*current, id);
    report.evicted = put.evicted.size();
    report.not_matched = report.diagnostics.size();
    not_matched_ += report.not_matched;
    if (builder.size() > 0) {
        auto next = std::make_shared<IndicatorSet>(*current);
        next->segments.push_back(builder.build());
        // An id evicted in this very batch may be in the new segment too.
        for (const auto& id : put.evicted) kill(*next, id);
        publish(next);
        if (next->segments.size() > max_segments_ && !merging_) {
            merging_ = true;
            if (merger_.joinable()) merger_.join();
            merger_ = std::thread([this] { merge_in_background(); });
        }
    }
    return report;
}

// Merges until the segments are back within max_segments_: the updates applied during a
// slow merge (a loaded machine, a large store) add segments that no apply would merge again
// until the next update, and every event is matched against each segment.
void IndicatorCatalog::merge_in_background() {
    while (merge_once() > max_segments_) {
    }
    std::lock_guard lock(mutex_);
    merging_ = false;
    idle_.notify_all();
}

// Rebuilds one segment from the store, then keeps the segments published meanwhile on
// top of it, killing in the merged segment what those newer segments replace. Returns how
// many segments the published set holds.
size_t IndicatorCatalog::merge_once() {
    size_t merged_count = 0;
    {
        std::lock_guard lock(mutex_);
        merged_count = current_.load()->segments.size();
        killed_during_merge_.clear();
    }
    Diagnostics ignored;
    std::shared_ptr<IndicatorSegment> merged = build_from_store(ignored);
    std::lock_guard lock(mutex_);
    auto current = current_.load();
    auto next = std::make_shared<IndicatorSet>();
    next->segments.push_back(merged);
    for (size_t s = merged_count; s < current->segments.size(); ++s) {
        const auto& newer = current->segments[s];
        for (uint32_t slot = 0; slot < newer->size(); ++slot) {
            merged->find_id(newer->view(slot).id, [&](uint32_t old) { merged->kill(old); });
        }
        next->segments.push_back(newer);
    }
    // Revoked and evicted while the store was being read: not in any newer segment.
    for (const auto& id : killed_during_merge_) {
        merged->find_id(id, [&](uint32_t m) { merged->kill(m); });
    }
    killed_during_merge_.clear();
    publish(next);
    ++generation_;
    return next->segments.size();
}

void IndicatorCatalog::wait_idle() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [this] { return !merging_; });
}

void IndicatorCatalog::count_live(const IndicatorSet& set, IndicatorCounts& counts) const {
    // Keyed by views (into static names and the segments' pools, alive while `set` is
    // held): a million indicators are counted without a million strings.
    std::map<std::tuple<std::string_view, std::string_view, std::string_view>, int64_t> live;
    const int64_t now = unix_now_us();
    for (const auto& segment : set.segments) {
        for (uint32_t slot = 0; slot < segment->size(); ++slot) {
            if (!segment->live(slot, now)) continue;
            const IndicatorView v = segment->view(slot);
            ++live[{v.type, stix::tlp_name(v.tlp), v.source}];
            ++counts.matched_per_event;
        }
    }
    for (const auto& [key, n] : live) {
        counts.by_type_tlp_source[{std::string(std::get<0>(key)), std::string(std::get<1>(key)),
                                   std::string(std::get<2>(key))}] = n;
    }
}

// The metrics ask every second; the live counts walk every indicator, so they are kept
// until something is applied or kCountsMaxAgeUs passes (expiry changes them slowly).
IndicatorCounts IndicatorCatalog::counts() const {
    constexpr int64_t kCountsMaxAgeUs = 10'000'000;
    const int64_t now = unix_now_us();
    IndicatorCounts counts;
    {
        std::lock_guard lock(counts_mutex_);
        if (cached_generation_ != generation_.load() || now - cached_at_us_ > kCountsMaxAgeUs) {
            cached_ = {};
            cached_generation_ = generation_.load();
            cached_at_us_ = now;
            count_live(*current(), cached_);
        }
        counts = cached_;
    }
    counts.stored = store_.count();
    counts.evictions = store_.evictions();
    std::lock_guard lock(mutex_);
    counts.not_matched = not_matched_;
    return counts;
}

std::unique_ptr<IndicatorLookup> IndicatorCatalog::lookup(const Ruleset& ruleset) const {
    if (ruleset.observable_fields().empty()) return nullptr;
    return std::make_unique<IndicatorMatcher>(*this, ruleset);
}

}  // namespace vigie
