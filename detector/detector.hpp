// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The per-thread detection state over a shared Ruleset: the event's fields, the
// prefilter and regex scratch. detect() allocates nothing once warmed up.
#include <memory>
#include <span>
#include <vector>

#include "detector/event_fields.hpp"
#include "detector/match_explanation.hpp"
#include "detector/prefilter_scratch.hpp"
#include "detector/regex.hpp"
#include "detector/ruleset.hpp"

namespace vigie {

class Detector {
  public:
    explicit Detector(std::shared_ptr<const Ruleset> ruleset);
    ~Detector();
    Detector(const Detector&) = delete;
    Detector& operator=(const Detector&) = delete;

    [[nodiscard]] const Ruleset& ruleset() const { return *ruleset_; }
    // The reader fills this (reset, add, seal) before each detect().
    EventFields& event() { return event_; }
    // Appends the indices (into ruleset().rules()) of the rules that match, ascending.
    // Returns how many rules were evaluated (the candidates the prefilter let through).
    // A rule whose condition could not be decided (a regex over its limit, and the other
    // tests not enough to decide without it) matches too: see undecided().
    size_t detect(std::vector<uint32_t>& matches);
    // Of the last detect(): the rules in whose evaluation a regex hit its limit, ascending
    // (whether they matched or not), and whether matched rule `rule` fired undecided.
    [[nodiscard]] std::span<const uint32_t> regex_limit_rules() const { return limit_rules_; }
    [[nodiscard]] bool undecided(uint32_t rule) const;
    // Why rule `rule` (an index detect() returned) matched the current event.
    void explain(uint32_t rule, std::vector<MatchedField>& out);
    [[nodiscard]] uint64_t regex_limit_hits() const { return regex_.limit_hits(); }

  private:
    std::shared_ptr<const Ruleset> ruleset_;
    EventFields event_;
    PrefilterScratch prefilter_;
    RegexScratch regex_;
    hs_scratch_t* literal_scratch_ = nullptr;
    std::vector<uint32_t> limit_rules_;  // reused: no allocation once warmed up
    std::vector<uint32_t> undecided_;
    std::vector<bool> explained_selections_;  // explain_match's scratch, reused per alert
};

}  // namespace vigie
