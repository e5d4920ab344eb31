// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A Sigma string value once its escapes are resolved: literal bytes and the two
// wildcards. Kept as parts so that encodings (utf16, windash) can transform the literal
// text while the wildcards stay wildcards.
#include <string>
#include <string_view>
#include <vector>

namespace vigie {

class SigmaString {
  public:
    enum class PartKind : unsigned char { Literal, AnyRun /* * */, AnyChar /* ? */ };
    struct Part {
        PartKind kind;
        std::string text;  // Literal only
        bool operator==(const Part&) const = default;
    };

    SigmaString() = default;
    // Sigma escaping: \* \? and \\ are the literal characters; a backslash before
    // anything else is a literal backslash.
    static SigmaString parse(std::string_view raw);
    static SigmaString literal(std::string_view bytes);

    [[nodiscard]] const std::vector<Part>& parts() const { return parts_; }
    [[nodiscard]] bool has_wildcards() const;
    [[nodiscard]] bool empty() const { return parts_.empty(); }
    // The literal text; only meaningful when !has_wildcards().
    [[nodiscard]] std::string plain() const;
    // The longest run of literal bytes, the best anchor for a literal prefilter.
    [[nodiscard]] std::string longest_literal() const;
    // Back to Sigma's escaped form, for messages.
    [[nodiscard]] std::string to_sigma() const;

    void prepend_any_run();
    void append_any_run();
    void append_literal(std::string_view bytes);
    void append_wildcard(PartKind kind);

    bool operator==(const SigmaString&) const = default;

  private:
    std::vector<Part> parts_;
};

}  // namespace vigie
