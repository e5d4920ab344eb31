// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Exact Sigma string matching: a SigmaString anchored at both ends, '*' any run of
// bytes, '?' one UTF-8 character, ASCII case folded unless `cased`.
#include <string>
#include <string_view>
#include <vector>

#include "detector/sigma_string.hpp"

namespace vigie {

class GlobMatcher {
  public:
    GlobMatcher() = default;
    GlobMatcher(const SigmaString& pattern, bool cased);

    // Most Sigma values are one literal with at most a leading and a trailing '*'
    // (equals, startswith, endswith, contains): those take a direct path.
    enum class Shape : uint8_t { Exact, Prefix, Suffix, Contains, General };

    [[nodiscard]] bool matches(std::string_view value) const;
    [[nodiscard]] bool cased() const { return cased_; }
    [[nodiscard]] Shape shape() const { return shape_; }
    // The literal of a non-General shape (folded unless cased).
    [[nodiscard]] const std::string& needle() const { return needle_; }

  private:
    struct Element {
        std::string literal;  // empty: any one character
    };
    struct Segment {
        std::vector<Element> elements;
        bool fixed_width = true;  // no '?', so the byte width is known
        size_t width = 0;
    };

    [[nodiscard]] size_t match_at(const Segment& seg, std::string_view value, size_t pos) const;
    [[nodiscard]] bool equal_bytes(std::string_view value, size_t pos,
                                   const std::string& lit) const;

    [[nodiscard]] bool matches_general(std::string_view value) const;

    std::vector<Segment> segments_;
    Shape shape_ = Shape::General;
    std::string needle_;  // the literal of a non-General shape, folded unless cased
    bool anchored_start_ = true;
    bool anchored_end_ = true;
    bool cased_ = false;
};

// ASCII lower-casing, the case folding Sigma matching and the Hyperscan prefilter share.
inline char fold_ascii(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}
std::string fold_ascii(std::string_view s);

}  // namespace vigie
