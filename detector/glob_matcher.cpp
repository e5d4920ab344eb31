// SPDX-License-Identifier: EUPL-1.2
#include "detector/glob_matcher.hpp"

#include <cstring>

namespace vigie {

namespace {

constexpr size_t kNoMatch = std::string_view::npos;

size_t utf8_char_length(std::string_view s, size_t pos) {
    auto lead = static_cast<unsigned char>(s[pos]);
    size_t len = 1;
    if (lead >= 0xF0) {
        len = 4;
    } else if (lead >= 0xE0) {
        len = 3;
    } else if (lead >= 0xC0) {
        len = 2;
    }
    return std::min(len, s.size() - pos);
}

// `n` bytes of `a` equal `lower` (already folded) up to ASCII case.
bool equal_folded(const char* a, const char* lower, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        if (fold_ascii(a[i]) != lower[i]) return false;
    }
    return true;
}

// Where the folded `needle` first occurs in `hay` up to ASCII case.
bool contains_folded(std::string_view hay, std::string_view needle) {
    if (needle.empty()) return true;
    if (needle.size() > hay.size()) return false;
    const char first = needle.front();
    const bool letter = first >= 'a' && first <= 'z';
    const char* p = hay.data();
    const char* last = hay.data() + (hay.size() - needle.size());
    while (p <= last) {
        if (letter) {
            if ((*p | 0x20) != first) {
                ++p;
                continue;
            }
        } else {
            p = static_cast<const char*>(std::memchr(p, first, static_cast<size_t>(last - p) + 1));
            if (p == nullptr) return false;
        }
        if (equal_folded(p + 1, needle.data() + 1, needle.size() - 1)) return true;
        ++p;
    }
    return false;
}

}  // namespace

std::string fold_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = fold_ascii(c);
    return out;
}

GlobMatcher::GlobMatcher(const SigmaString& pattern, bool cased) : cased_(cased) {
    const auto& parts = pattern.parts();
    anchored_start_ = parts.empty() || parts.front().kind != SigmaString::PartKind::AnyRun;
    anchored_end_ = parts.empty() || parts.back().kind != SigmaString::PartKind::AnyRun;
    Segment current;
    auto flush = [&] {
        if (!current.elements.empty()) segments_.push_back(std::move(current));
        current = Segment{};
    };
    for (const auto& part : parts) {
        switch (part.kind) {
            case SigmaString::PartKind::AnyRun:
                flush();
                break;
            case SigmaString::PartKind::AnyChar:
                current.elements.push_back(Element{});
                current.fixed_width = false;
                break;
            case SigmaString::PartKind::Literal:
                current.elements.push_back(Element{cased ? part.text : fold_ascii(part.text)});
                current.width += part.text.size();
                break;
        }
    }
    flush();
    if (segments_.size() == 1 && segments_[0].fixed_width && segments_[0].elements.size() == 1) {
        needle_ = segments_[0].elements[0].literal;
        if (anchored_start_ && anchored_end_) {
            shape_ = Shape::Exact;
        } else if (anchored_start_) {
            shape_ = Shape::Prefix;
        } else if (anchored_end_) {
            shape_ = Shape::Suffix;
        } else {
            shape_ = Shape::Contains;
        }
    }
}

bool GlobMatcher::equal_bytes(std::string_view value, size_t pos, const std::string& lit) const {
    if (value.size() - pos < lit.size()) return false;
    if (cased_) return value.compare(pos, lit.size(), lit) == 0;
    return equal_folded(value.data() + pos, lit.data(), lit.size());
}

size_t GlobMatcher::match_at(const Segment& seg, std::string_view value, size_t pos) const {
    for (const auto& el : seg.elements) {
        if (el.literal.empty()) {
            if (pos >= value.size()) return kNoMatch;
            pos += utf8_char_length(value, pos);
        } else {
            if (!equal_bytes(value, pos, el.literal)) return kNoMatch;
            pos += el.literal.size();
        }
    }
    return pos;
}

bool GlobMatcher::matches(std::string_view value) const {
    const size_t n = needle_.size();
    switch (shape_) {
        case Shape::Exact:
            return value.size() == n && equal_bytes(value, 0, needle_);
        case Shape::Prefix:
            return value.size() >= n && equal_bytes(value, 0, needle_);
        case Shape::Suffix:
            return value.size() >= n && equal_bytes(value, value.size() - n, needle_);
        case Shape::Contains:
            return cased_ ? value.find(needle_) != std::string_view::npos
                          : contains_folded(value, needle_);
        case Shape::General:
            break;
    }
    return matches_general(value);
}

bool GlobMatcher::matches_general(std::string_view value) const {
    if (segments_.empty()) return (anchored_start_ && anchored_end_) ? value.empty() : true;
    size_t pos = 0;
    const size_t last_index = segments_.size() - 1;
    for (size_t i = 0; i < segments_.size(); ++i) {
        const Segment& seg = segments_[i];
        const bool first = i == 0 && anchored_start_;
        const bool last = i == last_index && anchored_end_;
        if (first) {
            pos = match_at(seg, value, 0);
            if (pos == kNoMatch) return false;
            if (last) return pos == value.size();
            continue;
        }
        if (last) {
            if (seg.fixed_width) {
                if (value.size() < seg.width || value.size() - seg.width < pos) return false;
                return match_at(seg, value, value.size() - seg.width) == value.size();
            }
            for (size_t s = pos; s <= value.size(); ++s) {
                if (match_at(seg, value, s) == value.size()) return true;
            }
            return false;
        }
        // Leftmost match is always best: each start gives one fixed end.
        size_t end = kNoMatch;
        for (size_t s = pos; s <= value.size() && end == kNoMatch; ++s)
            end = match_at(seg, value, s);
        if (end == kNoMatch) return false;
        pos = end;
    }
    return true;
}

}  // namespace vigie
