#pragma once
// The per-thread detection state over a shared Ruleset: the event's fields, the
// prefilter and regex scratch. detect() allocates nothing once warmed up.
#include <memory>
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
    size_t detect(std::vector<uint32_t>& matches);
    // Why rule `rule` (an index detect() returned) matched the current event.
    void explain(uint32_t rule, std::vector<MatchedField>& out);
    [[nodiscard]] uint64_t regex_limit_hits() const { return regex_.limit_hits(); }

  private:
    std::shared_ptr<const Ruleset> ruleset_;
    EventFields event_;
    PrefilterScratch prefilter_;
    RegexScratch regex_;
    hs_scratch_t* literal_scratch_ = nullptr;
};

}  // namespace vigie
