// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Threat indicators as the scanner sees them: a source shared by the workers that gives
// each worker its own lookup, and what one event's observable fields hit. The scanner owns
// this interface so that it knows nothing of where indicators come from or how they are
// stored and compiled (federation/indicators implements it).
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "detector/event_fields.hpp"
#include "detector/ruleset.hpp"
#include "pipeline/alerts/alert_format.hpp"

namespace vigie {

struct IndicatorHit {
    std::string_view field;    // the Sigma field that carried it
    std::string_view value;    // the event's value (a view into the event)
    AlertIndicator indicator;  // views into the indicator set, valid until the next refresh()
};

// One worker's lookup. Not shared between threads; once warmed up it allocates nothing
// per event.
class IndicatorLookup {
  public:
    virtual ~IndicatorLookup() = default;
    // Once a batch: takes the set of indicators in force now.
    virtual void refresh() = 0;
    // The live indicators the event's observables hit, each once (hits is cleared first).
    virtual void match(const EventFields& event, int64_t now_us,
                       std::vector<IndicatorHit>& hits) = 0;
};

class IndicatorSource {
  public:
    virtual ~IndicatorSource() = default;
    // A lookup for one worker over the ruleset's observable fields; null when the
    // ruleset's mapping names none (nothing to look up).
    [[nodiscard]] virtual std::unique_ptr<IndicatorLookup> lookup(const Ruleset& ruleset) const = 0;
};

}  // namespace vigie
