// SPDX-License-Identifier: EUPL-1.2
#include "detector/value_encodings.hpp"

#include <array>
#include <cctype>
#include <cstdint>

namespace vigie {

namespace {

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Decodes one code point; invalid sequences yield the byte as a code point so that
// nothing is lost.
char32_t next_code_point(std::string_view s, size_t& pos) {
    auto b0 = static_cast<unsigned char>(s[pos]);
    size_t len = b0 < 0x80 ? 1 : b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 0;
    if (len <= 1 || pos + len > s.size()) {
        ++pos;
        return b0;
    }
    char32_t cp = b0 & (0xFF >> (len + 1));
    for (size_t i = 1; i < len; ++i) {
        auto b = static_cast<unsigned char>(s[pos + i]);
        if ((b & 0xC0) != 0x80) {
            ++pos;
            return b0;
        }
        cp = (cp << 6) | (b & 0x3F);
    }
    pos += len;
    return cp;
}

void put_unit(std::string& out, uint16_t unit, bool big_endian) {
    auto lo = static_cast<char>(unit & 0xFF);
    auto hi = static_cast<char>(unit >> 8);
    if (big_endian) {
        out += hi;
        out += lo;
    } else {
        out += lo;
        out += hi;
    }
}

std::string utf8_to_utf16(std::string_view text, bool big_endian) {
    std::string out;
    for (size_t pos = 0; pos < text.size();) {
        char32_t cp = next_code_point(text, pos);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            put_unit(out, static_cast<uint16_t>(0xD800 + (cp >> 10)), big_endian);
            put_unit(out, static_cast<uint16_t>(0xDC00 + (cp & 0x3FF)), big_endian);
        } else {
            put_unit(out, static_cast<uint16_t>(cp), big_endian);
        }
    }
    return out;
}

bool is_word_byte(char c) {
    auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) != 0 || c == '_' || u >= 0x80;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        uint32_t n = (static_cast<unsigned char>(bytes[i]) << 16) |
                     (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                     static_cast<unsigned char>(bytes[i + 2]);
        for (int shift = 18; shift >= 0; shift -= 6) out += kBase64Alphabet[(n >> shift) & 0x3F];
    }
    size_t rest = bytes.size() - i;
    if (rest > 0) {
        uint32_t n = static_cast<unsigned char>(bytes[i]) << 16;
        if (rest == 2) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        out += kBase64Alphabet[(n >> 18) & 0x3F];
        out += kBase64Alphabet[(n >> 12) & 0x3F];
        out += rest == 2 ? kBase64Alphabet[(n >> 6) & 0x3F] : '=';
        out += '=';
    }
    return out;
}

std::vector<std::string> base64_offsets(std::string_view bytes) {
    // pySigma: b64encode(i * b' ' + val)[start[i] : end[(len(val) + i) % 3]]
    static constexpr std::array<size_t, 3> kStart = {0, 2, 3};
    static constexpr std::array<size_t, 3> kEndTrim = {0, 3, 2};
    std::vector<std::string> out;
    for (size_t i = 0; i < 3; ++i) {
        std::string shifted(i, ' ');
        shifted.append(bytes);
        std::string enc = base64_encode(shifted);
        size_t trim = kEndTrim[(bytes.size() + i) % 3];
        size_t end = enc.size() >= trim ? enc.size() - trim : 0;
        out.push_back(end > kStart[i] ? enc.substr(kStart[i], end - kStart[i]) : std::string());
    }
    return out;
}

SigmaString to_utf16(const SigmaString& value, Utf16Form form) {
    SigmaString out;
    if (form == Utf16Form::WithBom) out.append_literal(std::string("\xFF\xFE", 2));
    const bool big_endian = form == Utf16Form::BigEndian;
    for (const auto& part : value.parts()) {
        if (part.kind == SigmaString::PartKind::Literal) {
            out.append_literal(utf8_to_utf16(part.text, big_endian));
        } else {
            out.append_wildcard(part.kind);
        }
    }
    return out;
}

std::vector<SigmaString> windash_variants(const SigmaString& value, size_t limit) {
    static const std::array<std::string, 5> kDashes = {"-", "/", "\xE2\x80\x93", "\xE2\x80\x94",
                                                       "\xE2\x80\x95"};
    std::vector<SigmaString> variants(1);
    for (const auto& part : value.parts()) {
        if (part.kind != SigmaString::PartKind::Literal) {
            for (auto& v : variants) v.append_wildcard(part.kind);
            continue;
        }
        const std::string& t = part.text;
        size_t run_start = 0;
        for (size_t i = 0; i < t.size(); ++i) {
            bool dash = t[i] == '-' || t[i] == '/';
            bool before_ok = i == 0 || !is_word_byte(t[i - 1]);  // \B before a non-word byte
            bool after_ok = i + 1 < t.size() && is_word_byte(t[i + 1]);
            if (!(dash && before_ok && after_ok)) continue;
            for (auto& v : variants)
                v.append_literal(std::string_view(t).substr(run_start, i - run_start));
            if (variants.size() * kDashes.size() > limit) return {};
            std::vector<SigmaString> next;
            next.reserve(variants.size() * kDashes.size());
            for (const auto& v : variants) {
                for (const auto& d : kDashes) {
                    next.push_back(v);
                    next.back().append_literal(d);
                }
            }
            variants = std::move(next);
            run_start = i + 1;
        }
        for (auto& v : variants) v.append_literal(std::string_view(t).substr(run_start));
    }
    return variants;
}

}  // namespace vigie
