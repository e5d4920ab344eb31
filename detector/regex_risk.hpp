// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Which regexes can backtrack badly, found from their text before any event is matched:
// a group that repeats and holds a repetition of its own ((a+)+, (.*a){20}), or repeated
// alternatives that can start alike ((a|aa)+, (.|x)*). Such a regex can need exponential
// steps on a crafted value; vigie bounds every search (RegexScratch::kMatchLimit) and a
// search over the bound counts as a match (fail-closed), so the warning says where an
// attacker can make a rule fire or cost the most, not where one can hide from it.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace vigie {

struct RegexRisk {
    size_t offset = 0;  // 0-based byte offset of the repeated group in the pattern
    std::string reason;
};

// A heuristic: no false alarm on a regex with no repeated group, possessive quantifiers
// and atomic groups are taken as safe.
std::optional<RegexRisk> backtracking_risk(std::string_view pattern);

}  // namespace vigie
