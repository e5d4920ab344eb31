// SPDX-License-Identifier: EUPL-1.2
#pragma once
// ASCII text helpers for protocol words compared without case (header and parameter names,
// media types, authorization schemes, digests, observables). ASCII only, on purpose: these
// are protocol tokens, not language, and std::tolower would follow the C locale.
#include <algorithm>
#include <string>
#include <string_view>

namespace vigie {

constexpr char ascii_lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

inline void append_ascii_lower(std::string& out, std::string_view text) {
    for (char c : text) out += ascii_lower(c);
}

inline std::string ascii_lower(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    append_ascii_lower(out, text);
    return out;
}

inline bool equals_ascii_nocase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return ascii_lower(x) == ascii_lower(y);
           });
}

inline bool starts_with_ascii_nocase(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() &&
           equals_ascii_nocase(text.substr(0, prefix.size()), prefix);
}

// Without the spaces and tabs at either end (HTTP's optional whitespace).
constexpr std::string_view trim_blanks(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

}  // namespace vigie
