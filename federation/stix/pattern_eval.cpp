// SPDX-License-Identifier: EUPL-1.2
// Bindings, as in the reference matcher's MatchListener: for every observation expression
// the list of tuples of observation indexes that satisfy it. An observed-data with
// number_observed n gives n observations (capped at the largest binding the pattern can
// hold, since more copies can never be used). Time checks use each observation's
// [first_observed, last_observed] window with the reference matcher's optimistic choices.
// The walks over the pattern's tree recurse once per level: the parser lets no pattern
// nest deeper than vigie::input_limits().max_nesting_depth.
#include "federation/stix/pattern_eval.hpp"

#include <algorithm>
#include <limits>

#include "core/ip_network.hpp"
#include "federation/stix/pattern_compare.hpp"

namespace vigie::stix {
namespace {

using Binding = std::vector<uint32_t>;  // observation indexes, distinct

struct Observation {
    uint32_t data = 0;  // index into ObservationSet::observed_data()
    int64_t first_us = 0;
    int64_t last_us = 0;
};

size_t saturating_add(size_t a, size_t b) {
    return a > std::numeric_limits<size_t>::max() - b ? std::numeric_limits<size_t>::max() : a + b;
}

size_t saturating_mul(size_t a, size_t b) {
    if (a != 0 && b > std::numeric_limits<size_t>::max() / a)
        return std::numeric_limits<size_t>::max();
    return a * b;
}

// How many observations one binding of `expr` holds at most.
size_t binding_size(const ObservationExpr& expr) {
    size_t size = 1;
    if (expr.kind != ObservationExpr::Kind::Observation) {
        size = 0;
        for (const auto& child : expr.children)
            size = expr.kind == ObservationExpr::Kind::Or
                       ? std::max(size, binding_size(child))
                       : saturating_add(size, binding_size(child));
    }
    for (const Qualifier& q : expr.qualifiers)
        if (q.kind == Qualifier::Kind::Repeats)
            size = saturating_mul(size, static_cast<size_t>(q.repeats));
    return size;
}

bool disjoint(const Binding& a, const Binding& b) {
    for (uint32_t x : a)
        if (std::find(b.begin(), b.end(), x) != b.end()) return false;
    return true;
}

Binding concat(const Binding& a, const Binding& b) {
    Binding out = a;
    out.insert(out.end(), b.begin(), b.end());
    return out;
}

class Evaluator {
  public:
    Evaluator(const Pattern& pattern, const ObservationSet& set, EvalLimits limits)
        : pattern_(pattern), set_(set), limits_(limits), regexes_(pattern) {
        expand_observations(binding_size(pattern.root));
    }

    std::vector<Binding> run() {
        auto bindings = evaluate(pattern_.root);
        if (!stopped_.empty()) bindings.clear();
        return bindings;
    }
    // Where the search was cut ("AND", "REPEATS"...), or empty when it ran to the end.
    [[nodiscard]] const std::string& stopped_at() const { return stopped_; }
    [[nodiscard]] uint32_t data_of(uint32_t observation) const { return obs_[observation].data; }

  private:
    void expand_observations(size_t copies_cap) {
        const auto& all = set_.observed_data();
        for (uint32_t d = 0; d < all.size(); ++d) {
            auto copies = std::min(static_cast<size_t>(all[d].number_observed), copies_cap);
            for (size_t c = 0; c < copies; ++c) {
                if (!spend(1, "expanding number_observed")) return;
                obs_.push_back({d, all[d].first_observed_us, all[d].last_observed_us});
            }
        }
    }

    // False once the search was cut: every caller then returns what it has, unused.
    bool spend(size_t steps, const char* where) {
        used_ = saturating_add(used_, steps);
        if (used_ > limits_.max_steps) stop(where);
        return stopped_.empty();
    }

    void stop(const char* where) {
        if (stopped_.empty()) stopped_ = where;
    }

    bool keep(std::vector<Binding>& out, Binding b, const char* where) {
        if (out.size() >= limits_.max_bindings) stop(where);
        if (!stopped_.empty()) return false;
        out.push_back(std::move(b));
        return true;
    }

    std::vector<Binding> evaluate(const ObservationExpr& expr) {
        std::vector<Binding> bindings;
        if (expr.kind == ObservationExpr::Kind::Observation) {
            bindings = observations_matching(expr.comparison);
        } else {
            bindings = evaluate(expr.children.front());
            for (size_t i = 1; i < expr.children.size() && stopped_.empty(); ++i)
                bindings = join(expr.kind, bindings, evaluate(expr.children[i]));
        }
        if (!stopped_.empty()) return {};
        for (const Qualifier& q : expr.qualifiers) bindings = qualify(q, bindings);
        return bindings;
    }

    std::vector<Binding> observations_matching(const ComparisonExpr& comparison) {
        const auto& all = set_.observed_data();
        std::vector<bool> matched(all.size());
        for (size_t d = 0; d < all.size(); ++d) {
            if (!spend(1 + all[d].objects.size(), "comparing")) return {};
            matched[d] = !matching_roots(comparison, all[d], set_, regexes_).empty();
        }
        std::vector<Binding> out;
        for (uint32_t o = 0; o < obs_.size(); ++o)
            if (matched[obs_[o].data] && !keep(out, {o}, "an observation expression")) return {};
        return out;
    }

    std::vector<Binding> join(ObservationExpr::Kind kind, const std::vector<Binding>& lhs,
                              const std::vector<Binding>& rhs) {
        std::vector<Binding> out;
        if (kind == ObservationExpr::Kind::Or) {  // one-sided bindings, as the reference does
            for (const auto& b : lhs)
                if (!keep(out, b, "OR")) return {};
            for (const auto& b : rhs)
                if (!keep(out, b, "OR")) return {};
            return out;
        }
        bool followed = kind == ObservationExpr::Kind::FollowedBy;
        const char* where = followed ? "FOLLOWEDBY" : "AND";
        for (const auto& l : lhs) {
            int64_t latest_first = std::numeric_limits<int64_t>::min();
            for (uint32_t o : l) latest_first = std::max(latest_first, obs_[o].first_us);
            for (const auto& r : rhs) {
                if (!spend(1, where)) return {};
                if (!disjoint(l, r)) continue;
                if (followed && latest_first > earliest_last(r)) continue;
                if (!keep(out, concat(l, r), where)) return {};
            }
        }
        return out;
    }

    int64_t earliest_last(const Binding& b) const {
        int64_t earliest = std::numeric_limits<int64_t>::max();
        for (uint32_t o : b) earliest = std::min(earliest, obs_[o].last_us);
        return earliest;
    }

    std::vector<Binding> qualify(const Qualifier& q, const std::vector<Binding>& in) {
        std::vector<Binding> out;
        switch (q.kind) {
            case Qualifier::Kind::Repeats:
                return repeats(static_cast<size_t>(q.repeats), in);
            case Qualifier::Kind::Within:
                for (const auto& b : in)
                    if (within(b, q.within_seconds) && !keep(out, b, "WITHIN")) return {};
                return out;
            case Qualifier::Kind::StartStop:
                if (q.start_us >= q.stop_us) return out;
                for (const auto& b : in)
                    if (inside(b, q.start_us, q.stop_us) && !keep(out, b, "START/STOP")) return {};
                return out;
        }
        return out;
    }

    // Can one timestamp per observation be chosen, all within `seconds` of each other? The
    // test window starts at the earliest last_observed (the reference's argument).
    bool within(const Binding& b, double seconds) const {
        int64_t start = earliest_last(b);
        double stop = static_cast<double>(start) + seconds * 1e6;
        return std::all_of(b.begin(), b.end(), [&](uint32_t o) {
            return static_cast<double>(obs_[o].first_us) <= stop && obs_[o].last_us >= start;
        });
    }

    // Each window must meet [start, stop): overlap, or touch at start, never only at stop.
    bool inside(const Binding& b, int64_t start, int64_t stop) const {
        return std::all_of(b.begin(), b.end(), [&](uint32_t o) {
            return obs_[o].first_us < stop && obs_[o].last_us >= start;
        });
    }

    // All disjoint combinations of n bindings (the reference's _filtered_combinations).
    std::vector<Binding> repeats(size_t n, const std::vector<Binding>& in) {
        std::vector<Binding> out;
        if (n == 1) return in;
        if (n > in.size()) return out;
        combine(in, n, out);
        return out;
    }

    // The combinations in index order, with the chosen indexes on a stack of their own:
    // REPEATS n goes n choices deep, and n comes from the pattern, so no recursion here.
    void combine(const std::vector<Binding>& in, size_t n, std::vector<Binding>& out) {
        std::vector<size_t> chosen;  // indexes into `in`, ascending
        std::vector<size_t> marks;   // current.size() before each chosen binding
        Binding current;
        size_t next = 0;
        for (;;) {
            if (chosen.size() == n) {
                if (!keep(out, current, "REPEATS")) return;
            } else if (next + (n - chosen.size()) <= in.size()) {
                if (!spend(1, "REPEATS")) return;
                if (disjoint(current, in[next])) {
                    marks.push_back(current.size());
                    chosen.push_back(next);
                    current.insert(current.end(), in[next].begin(), in[next].end());
                }
                ++next;
                continue;
            }
            if (chosen.empty()) return;  // every choice of the first binding was tried
            next = chosen.back() + 1;
            current.resize(marks.back());
            chosen.pop_back();
            marks.pop_back();
        }
    }

    const Pattern& pattern_;
    const ObservationSet& set_;
    EvalLimits limits_;
    CompiledRegexes regexes_;
    std::vector<Observation> obs_;
    size_t used_ = 0;
    std::string stopped_;
};

// ISSUBSET / ISSUPERSET are defined for IP networks only; any other constant is a
// comparison this evaluator cannot decide, rather than one that is false.
std::string unsupported_part(const ComparisonExpr& expr) {
    for (const auto& child : expr.children)
        if (auto why = unsupported_part(child); !why.empty()) return why;
    if (expr.kind != ComparisonExpr::Kind::Leaf) return "";
    const Comparison& c = expr.leaf;
    if ((c.op == CompareOp::IsSubset || c.op == CompareOp::IsSuperset) &&
        !IpNetwork::parse(c.values.front().text))
        return "column " + std::to_string(c.column) + ": " +
               (c.op == CompareOp::IsSubset ? "ISSUBSET" : "ISSUPERSET") +
               " on a constant that is not an IP address or CIDR network";
    return "";
}

std::string unsupported_part(const ObservationExpr& expr) {
    if (expr.kind == ObservationExpr::Kind::Observation) return unsupported_part(expr.comparison);
    for (const auto& child : expr.children)
        if (auto why = unsupported_part(child); !why.empty()) return why;
    return "";
}

}  // namespace

EvalResult evaluate(const Pattern& pattern, const ObservationSet& set, EvalLimits limits) {
    EvalResult result;
    if (result.detail = unsupported_part(pattern.root); !result.detail.empty()) {
        result.status = EvalResult::Status::Unsupported;
        return result;
    }
    Evaluator evaluator(pattern, set, limits);
    std::vector<Binding> bindings = evaluator.run();
    if (!evaluator.stopped_at().empty()) {
        result.status = EvalResult::Status::LimitHit;
        result.detail = "stopped at " + evaluator.stopped_at() + " after " +
                        std::to_string(limits.max_steps) + " steps or " +
                        std::to_string(limits.max_bindings) + " bindings";
        return result;
    }
    std::vector<bool> used(set.observed_data().size());
    for (const Binding& b : bindings)
        for (uint32_t o : b) used[evaluator.data_of(o)] = true;
    for (size_t d = 0; d < used.size(); ++d)
        if (used[d]) result.observed_data_ids.push_back(set.observed_data()[d].id);
    result.status = bindings.empty() ? EvalResult::Status::NoMatch : EvalResult::Status::Match;
    return result;
}

}  // namespace vigie::stix
