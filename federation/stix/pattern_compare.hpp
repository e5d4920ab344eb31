// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Comparison expressions against one observed-data (STIX 2.1 section 9.5, as the OASIS
// reference matcher reads it): which of its SCOs ("roots") satisfy them. AND keeps the
// roots both sides matched, so "[file:name = 'a' AND file:size = 1]" needs one file with
// both; OR unites them.
#include <memory>
#include <unordered_map>
#include <vector>

#include "federation/stix/observation_set.hpp"
#include "federation/stix/pattern_ast.hpp"
#include "federation/stix/pattern_regex.hpp"

namespace vigie::stix {

// LIKE and MATCHES expressions compiled once for a whole evaluation.
class CompiledRegexes {
  public:
    explicit CompiledRegexes(const Pattern& pattern);
    [[nodiscard]] const PatternRegex* find(const Comparison& c) const;
    // MATCHES on binary values; null when the expression cannot match bytes.
    [[nodiscard]] const PatternRegex* find_binary(const Comparison& c) const;

  private:
    void collect(const ComparisonExpr& expr);
    void collect(const ObservationExpr& expr);
    std::unordered_map<const Comparison*, std::shared_ptr<const PatternRegex>> by_comparison_;
    std::unordered_map<const Comparison*, std::shared_ptr<const PatternRegex>> binary_;
};

// Indexes into `data.objects` of the roots that satisfy `expr`, ascending.
std::vector<uint32_t> matching_roots(const ComparisonExpr& expr, const ObservedData& data,
                                     const ObservationSet& set, const CompiledRegexes& regexes);

}  // namespace vigie::stix
