// SPDX-License-Identifier: EUPL-1.2
#include "detector/regex_risk.hpp"

#include <algorithm>
#include <cctype>
#include <limits>
#include <vector>

namespace vigie {

namespace {

constexpr size_t kUnbounded = std::numeric_limits<size_t>::max();

struct Quantifier {
    size_t min = 1;
    size_t max = 1;
    size_t length = 0;  // characters it takes in the pattern; 0: no quantifier
    bool possessive = false;
};

// The quantifier at `i`, if any ("*", "+", "?", "{n}", "{n,}", "{n,m}", then "?" or "+").
Quantifier quantifier_at(std::string_view p, size_t i) {
    Quantifier q;
    if (i >= p.size()) return q;
    size_t end = i + 1;
    if (p[i] == '*') {
        q = {0, kUnbounded, 0, false};
    } else if (p[i] == '+') {
        q = {1, kUnbounded, 0, false};
    } else if (p[i] == '?') {
        q = {0, 1, 0, false};
    } else if (p[i] == '{') {
        size_t close = p.find('}', i);
        if (close == std::string_view::npos) return q;
        std::string_view body = p.substr(i + 1, close - i - 1);
        size_t comma = body.find(',');
        auto number = [](std::string_view s, size_t fallback) {
            if (s.empty()) return fallback;
            if (s.find_first_not_of("0123456789") != std::string_view::npos || s.size() > 9)
                return size_t{0};
            return static_cast<size_t>(std::stoul(std::string(s)));
        };
        if (body.empty() || body.find_first_not_of("0123456789,") != std::string_view::npos)
            return q;  // a literal '{'
        q.min = number(body.substr(0, comma), 0);
        q.max =
            comma == std::string_view::npos ? q.min : number(body.substr(comma + 1), kUnbounded);
        end = close + 1;
    } else {
        return q;
    }
    if (end < p.size() && (p[end] == '?' || p[end] == '+')) {
        q.possessive = p[end] == '+';
        ++end;
    }
    q.length = end - i;
    return q;
}

// Where the atom starting at `i` ends: an escape, a class, or one character.
size_t atom_end(std::string_view p, size_t i) {
    if (p[i] == '\\') {
        if (i + 1 < p.size() && p[i + 1] == 'Q') {
            size_t e = p.find("\\E", i + 2);
            return e == std::string_view::npos ? p.size() : e + 2;
        }
        if (i + 2 < p.size() && (p[i + 1] == 'p' || p[i + 1] == 'P') && p[i + 2] == '{') {
            size_t e = p.find('}', i);
            return e == std::string_view::npos ? p.size() : e + 1;
        }
        return std::min(p.size(), i + 2);
    }
    if (p[i] == '[') {
        size_t j = i + 1;
        if (j < p.size() && p[j] == '^') ++j;
        if (j < p.size() && p[j] == ']') ++j;
        for (; j < p.size() && p[j] != ']'; ++j) {
            if (p[j] == '\\') ++j;
        }
        return std::min(p.size(), j + 1);
    }
    return i + 1;
}

// True when a branch starting with `a` and one starting with `b` can match the same
// first character (the same atom, an empty branch, or a wide class).
bool may_overlap(std::string_view a, std::string_view b) {
    auto wide = [](std::string_view s) {
        return s.empty() || s == "." || s == "\\S" || s == "\\W" || s == "\\D" ||
               s.starts_with("[^");
    };
    return a == b || wide(a) || wide(b);
}

struct Group {
    size_t open = 0;
    bool atomic = false;
    bool inner_unbounded = false;  // a quantifier inside with no upper bound
    bool inner_variable = false;   // a quantifier inside with min != max
    std::vector<std::string_view> branch_starts;
    bool at_branch_start = true;
};

class Scanner {
  public:
    explicit Scanner(std::string_view p) : p_(p) { groups_.push_back({}); }

    std::optional<RegexRisk> run() {
        size_t i = 0;
        while (i < p_.size() && !risk_) {
            if (p_[i] == '(') {
                i = open_group(i);
            } else if (p_[i] == ')' && groups_.size() > 1) {
                Group g = std::move(groups_.back());
                groups_.pop_back();
                i = after_atom(i + 1, &g);
            } else if (p_[i] == '|') {
                groups_.back().at_branch_start = true;
                ++i;
            } else {
                size_t e = atom_end(p_, i);
                note_branch_start(p_.substr(i, e - i));
                i = after_atom(e, nullptr);
            }
        }
        return risk_;
    }

  private:
    size_t open_group(size_t i) {
        note_branch_start(p_.substr(i, 1));
        Group g;
        g.open = i;
        size_t body = i + 1;
        if (body < p_.size() && p_[body] == '?') body = group_body(body + 1, g);
        if (body == kUnbounded) return group_options_end_;  // "(?i)": options, no group
        groups_.push_back(std::move(g));
        return body;
    }

    // Where the body of "(?..." starts, `j` being just after the '?'.
    size_t group_body(size_t j, Group& g) {
        const size_t n = p_.size();
        if (j >= n) return n;
        if (p_[j] == '>') {
            g.atomic = true;
            return j + 1;
        }
        if (p_[j] == '=' || p_[j] == '!') return j + 1;
        if (p_[j] == '<' && j + 1 < n && (p_[j + 1] == '=' || p_[j + 1] == '!')) return j + 2;
        if (p_[j] == '<' || p_[j] == '\'' || (p_[j] == 'P' && j + 1 < n && p_[j + 1] == '<')) {
            size_t e = p_.find_first_of(">'", j + 1);
            return e == std::string_view::npos ? n : e + 1;
        }
        size_t k = j;
        while (k < n && (std::isalpha(static_cast<unsigned char>(p_[k])) != 0 || p_[k] == '-' ||
                         p_[k] == '^'))
            ++k;
        if (k < n && p_[k] == ')') {
            group_options_end_ = k + 1;
            return kUnbounded;
        }
        return k < n && p_[k] == ':' ? k + 1 : j;
    }

    void note_branch_start(std::string_view atom) {
        Group& g = groups_.back();
        if (!g.at_branch_start) return;
        g.branch_starts.push_back(atom);
        g.at_branch_start = false;
    }

    // After an atom ending at `i` (a group when `group` is set): its quantifier, if any.
    size_t after_atom(size_t i, const Group* group) {
        Group& outer = groups_.back();
        if (group != nullptr) {
            outer.inner_unbounded |= group->inner_unbounded;
            outer.inner_variable |= group->inner_variable;
        }
        Quantifier q = quantifier_at(p_, i);
        if (q.length == 0) return i;
        const bool repeats = q.max > 1;
        // A possessive repetition never gives back what it took: no backtracking into it.
        outer.inner_unbounded |= q.max == kUnbounded && !q.possessive;
        outer.inner_variable |= q.min != q.max && !q.possessive;
        if (group != nullptr && repeats && !q.possessive && !group->atomic) check_group(*group, q);
        return i + q.length;
    }

    void check_group(const Group& g, const Quantifier& q) {
        if (g.inner_unbounded || (g.inner_variable && q.max == kUnbounded)) {
            risk_ = RegexRisk{g.open,
                              "a repeated group holds a repetition of its own (like "
                              "(a+)+ or (.*a){20})"};
            return;
        }
        std::vector<std::string_view> starts = g.branch_starts;
        if (g.at_branch_start) starts.emplace_back();  // "(a|)": an empty branch
        for (size_t a = 0; a < starts.size(); ++a) {
            for (size_t b = a + 1; b < starts.size(); ++b) {
                if (may_overlap(starts[a], starts[b])) {
                    risk_ = RegexRisk{g.open,
                                      "a repeated group has alternatives that can "
                                      "start alike (like (a|aa)+)"};
                    return;
                }
            }
        }
    }

    std::string_view p_;
    std::vector<Group> groups_;
    std::optional<RegexRisk> risk_;
    size_t group_options_end_ = 0;
};

}  // namespace

std::optional<RegexRisk> backtracking_risk(std::string_view pattern) {
    return Scanner(pattern).run();
}

}  // namespace vigie
