// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The simple string values of one clause (equals, startswith, endswith, contains: one
// literal, no inner wildcard) tested together by one Hyperscan scan of the field value,
// instead of one search per value. SigmaHQ has clauses with dozens or hundreds of such
// values (command-line flags, DLL names), and they dominate evaluation time otherwise.
// Gives exactly GlobMatcher's answer: a match is checked against its value's anchors.
#include <hs/hs.h>

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "detector/database_cache.hpp"
#include "detector/glob_matcher.hpp"

namespace vigie {

class LiteralSet {
  public:
    // Fewer simple values than this are searched one by one: a scan call costs more.
    static constexpr size_t kMinValues = 4;

    // The matchers must all have a non-General shape and a non-empty needle. Throws on a
    // Hyperscan failure (literals always compile).
    // The compiled database comes from `cache` when it has it, and is stored there otherwise.
    LiteralSet(const std::vector<const GlobMatcher*>& matchers, const DatabaseCache& cache,
               Diagnostics& diags);
    ~LiteralSet();
    LiteralSet(const LiteralSet&) = delete;
    LiteralSet& operator=(const LiteralSet&) = delete;

    // True when one of the values matches `text`. `scratch` must have been allocated for
    // this set's database (see grow_scratch).
    bool matches(std::string_view text, hs_scratch_t* scratch) const;
    // Makes `*scratch` large enough for this set too.
    void grow_scratch(hs_scratch_t** scratch) const;

  private:
    enum Anchor : uint8_t { kStart = 1, kEnd = 2 };
    struct Pattern {
        uint32_t length;
        uint8_t anchors;
    };

    hs_database_t* db_ = nullptr;
    std::vector<Pattern> patterns_;
};

}  // namespace vigie
