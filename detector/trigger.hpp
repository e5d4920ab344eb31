// SPDX-License-Identifier: EUPL-1.2
#pragma once
// What the prefilter looks for on behalf of a rule: patterns on fields, grouped into sets
// of which one must occur, and plans of sets that must all be hit.
#include <cstdint>
#include <string>
#include <vector>

#include "detector/field_paths.hpp"
#include "detector/regex.hpp"

namespace vigie {

enum TriggerAnchor : uint8_t { kAnchorStart = 1, kAnchorEnd = 2 };

struct Trigger {
    FieldId field = kNone;  // kKeywordField: any string of the event
    std::string text;       // a literal, or a regex when `regex`
    bool regex = false;
    bool caseless = true;
    RegexFlags flags;        // regex only
    uint8_t anchors = 0;     // literal only: TriggerAnchor bits, where in the value it must be
    bool logsource = false;  // from the logsource conditions the compiler attached
    bool operator==(const Trigger&) const = default;

    // A whole-value literal: looked up in an ExactValueIndex, not scanned for.
    [[nodiscard]] bool exact() const {
        return !regex && field != kKeywordField && anchors == (kAnchorStart | kAnchorEnd);
    }
};
// One of these must occur.
using TriggerSet = std::vector<Trigger>;
// Every set must be hit; the first is the most selective.
using TriggerPlan = std::vector<TriggerSet>;
// Sets a plan takes from the rule's detection; its logsource's sets come on top.
inline constexpr size_t kMaxRequirements = 8;

}  // namespace vigie
