#pragma once
// PCRE2 for MATCHES (and LIKE, translated), compiled once per comparison: UTF mode, JIT
// when available, and a match limit so that no pattern / value pair can run away.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace vigie::stix {

class PatternRegex {
  public:
    // Null with `error` set when PCRE2 refuses the expression.
    static std::shared_ptr<const PatternRegex> compile(std::string_view expression,
                                                       std::string& error);
    // For *_hex / *_bin values: `latin1` is the expression with each code point as one byte
    // (the reference matcher's rule: only expressions whose code points are all < 256 can
    // match binary data), matched byte by byte without UTF.
    static std::shared_ptr<const PatternRegex> compile_binary(std::string_view latin1);
    // LIKE: % any run, _ one character, the rest literal, anchored at both ends.
    static std::shared_ptr<const PatternRegex> from_like(std::string_view like);
    ~PatternRegex();
    PatternRegex(const PatternRegex&) = delete;
    PatternRegex& operator=(const PatternRegex&) = delete;

    // Unanchored search. A value that hits the match limit, or is not UTF-8, does not match.
    [[nodiscard]] bool search(std::string_view subject) const;

  private:
    explicit PatternRegex(void* code) : code_(code) {}
    void* code_;  // pcre2_code_8*
};

}  // namespace vigie::stix
