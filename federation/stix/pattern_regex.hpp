// SPDX-License-Identifier: EUPL-1.2
#pragma once
// PCRE2 for MATCHES (and LIKE, translated), compiled once per comparison: UTF mode, JIT
// when available, and a match limit so that no pattern / value pair can run away.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace vigie::stix {

class PatternRegex {
  public:
    // An error (PCRE2's words and the offset) when PCRE2 refuses the expression.
    static Result<std::shared_ptr<const PatternRegex>> compile(std::string_view expression);
    // For *_hex / *_bin values: `latin1` is the expression with each code point as one byte
    // (the reference matcher's rule: only expressions whose code points are all < 256 can
    // match binary data), matched byte by byte without UTF.
    static std::shared_ptr<const PatternRegex> compile_binary(std::string_view latin1);
    // LIKE: % any run, _ one character, the rest literal, anchored at both ends.
    static std::shared_ptr<const PatternRegex> from_like(std::string_view like);
    ~PatternRegex();
    PatternRegex(const PatternRegex&) = delete;
    PatternRegex& operator=(const PatternRegex&) = delete;

    // Undecided: the search ran into its match, depth or heap limit. The comparison then
    // holds, NOT or not (fail-closed, as Sigma rules do: padding a value until the regex
    // gives up cannot hide an object from an indicator). Counted in limit_hits().
    enum class Outcome : uint8_t { NoMatch, Match, Undecided };
    // Unanchored search. A value that is not UTF-8 does not match.
    [[nodiscard]] Outcome search(std::string_view subject) const;
    // Searches that were Undecided, in this process.
    static uint64_t limit_hits();

  private:
    explicit PatternRegex(void* code) : code_(code) {}
    void* code_;  // pcre2_code_8*
};

}  // namespace vigie::stix
