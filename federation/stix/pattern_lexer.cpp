// SPDX-License-Identifier: EUPL-1.2
#include "federation/stix/pattern_lexer.hpp"

#include <array>
#include <charconv>
#include <cstdio>
#include <optional>

#include "federation/stix/timestamp.hpp"

namespace vigie::stix {
namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_word_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_word_char(char c) {
    return is_word_start(c) || is_digit(c) || c == '-';
}

constexpr std::array<std::string_view, 16> kKeywords = {
    "AND",    "OR", "NOT",   "FOLLOWEDBY", "LIKE",   "MATCHES", "ISSUBSET", "ISSUPERSET",
    "EXISTS", "IN", "START", "STOP",       "WITHIN", "SECONDS", "REPEATS",  "TIMES"};

int hex_digit(char c) {
    if (is_digit(c)) return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int base64_digit(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (is_digit(c)) return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

}  // namespace

std::optional<std::string> decode_hex(std::string_view s) {
    if (s.size() % 2 != 0) return std::nullopt;
    std::string out;
    for (size_t i = 0; i < s.size(); i += 2) {
        int hi = hex_digit(s[i]);
        int lo = hex_digit(s[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<char>(hi * 16 + lo));
    }
    return out;
}

// Standard base64 with padding, as the grammar's BinaryLiteral requires (length % 4 == 0).
std::optional<std::string> decode_base64(std::string_view s) {
    if (s.size() % 4 != 0) return std::nullopt;
    size_t pad = 0;
    while (pad < 2 && pad < s.size() && s[s.size() - 1 - pad] == '=') ++pad;
    std::string out;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < s.size() - pad; ++i) {
        int d = base64_digit(s[i]);
        if (d < 0) return std::nullopt;
        acc = (acc << 6) | static_cast<uint32_t>(d);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xFF));
        }
    }
    return out;
}

Token PatternLexer::make(TokenKind kind, size_t start, size_t end) const {
    Token t;
    t.kind = kind;
    t.column = static_cast<uint32_t>(start + 1);
    t.raw = text_.substr(start, end - start);
    return t;
}

Token PatternLexer::error(size_t at, std::string message) const {
    Token t = make(TokenKind::Error, at, at);
    t.text = std::move(message);
    return t;
}

Token PatternLexer::next() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\r' ||
            text_[pos_] == '\n' || text_[pos_] == '\f'))
        ++pos_;
    size_t start = pos_;
    if (pos_ >= text_.size()) return make(TokenKind::End, start, start);
    char c = text_[pos_];
    char n = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
    auto single = [&](TokenKind kind, size_t len) {
        pos_ += len;
        return make(kind, start, pos_);
    };
    switch (c) {
        case '[':
            return single(TokenKind::LBracket, 1);
        case ']':
            return single(TokenKind::RBracket, 1);
        case '(':
            return single(TokenKind::LParen, 1);
        case ')':
            return single(TokenKind::RParen, 1);
        case ':':
            return single(TokenKind::Colon, 1);
        case ',':
            return single(TokenKind::Comma, 1);
        case '*':
            return single(TokenKind::Asterisk, 1);
        case '=':
            return single(TokenKind::Equal, n == '=' ? 2 : 1);
        case '!':
            if (n == '=') return single(TokenKind::NotEqual, 2);
            break;
        case '<':
            if (n == '>') return single(TokenKind::NotEqual, 2);
            return n == '=' ? single(TokenKind::LessEqual, 2) : single(TokenKind::Less, 1);
        case '>':
            return n == '=' ? single(TokenKind::GreaterEqual, 2) : single(TokenKind::Greater, 1);
        case '\'':
            return lex_quoted(start, '\0');
        default:
            break;
    }
    if (c == '.' && !is_digit(n)) return single(TokenKind::Dot, 1);
    if (is_digit(c) || c == '.' || c == '-' || c == '+') return lex_number(start);
    if (is_word_start(c)) return lex_word(start);
    char shown[48];
    if (static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7F)
        std::snprintf(shown, sizeof shown, "unexpected character '%c'", c);
    else
        std::snprintf(shown, sizeof shown, "unexpected byte 0x%02X",
                      static_cast<unsigned>(static_cast<unsigned char>(c)));
    return error(start, shown);
}

Token PatternLexer::lex_number(size_t start) {
    size_t p = start;
    if (text_[p] == '-' || text_[p] == '+') ++p;
    size_t int_start = p;
    while (p < text_.size() && is_digit(text_[p])) ++p;
    bool is_float = p < text_.size() && text_[p] == '.';
    if (is_float) {
        size_t frac = ++p;
        while (p < text_.size() && is_digit(text_[p])) ++p;
        if (p == frac) return error(start, "expected digits after '.' in a number");
    } else if (p == int_start) {
        return error(start, std::string("unexpected character '") + text_[start] + "'");
    }
    pos_ = p;
    Token t = make(is_float ? TokenKind::Float : TokenKind::Int, start, p);
    std::string digits(text_.substr(start, p - start));
    if (digits[0] == '+') digits.erase(0, 1);
    if (is_float) {
        t.real = std::strtod(digits.c_str(), nullptr);
        return t;
    }
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), t.integer);
    if (ec != std::errc() || end != digits.data() + digits.size())
        return error(start, "integer out of range");
    t.real = static_cast<double>(t.integer);
    return t;
}

Token PatternLexer::lex_word(size_t start) {
    size_t p = start;
    while (p < text_.size() && is_word_char(text_[p])) ++p;
    std::string_view word = text_.substr(start, p - start);
    if (word.size() == 1 && p < text_.size() && text_[p] == '\'' &&
        (word[0] == 'b' || word[0] == 'h' || word[0] == 't'))
        return lex_quoted(start, word[0]);
    pos_ = p;
    Token t = make(TokenKind::Identifier, start, p);
    t.text = std::string(word);
    t.has_hyphen = word.find('-') != std::string_view::npos;
    for (std::string_view k : kKeywords)
        if (word == k) t.kind = TokenKind::Keyword;
    if (word == "true" || word == "false") {
        t.kind = TokenKind::Bool;
        t.boolean = word == "true";
    }
    return t;
}

// '...' (prefix '\0'), b'...', h'...' or t'...'. Only strings have escapes: \' and \\.
Token PatternLexer::lex_quoted(size_t start, char prefix) {
    size_t p = start + (prefix != '\0' ? 2 : 1);
    std::string body;
    for (;;) {
        if (p >= text_.size()) return error(start, "unterminated quoted constant");
        char c = text_[p];
        if (c == '\'') break;
        if (c == '\\' && prefix == '\0') {
            char e = p + 1 < text_.size() ? text_[p + 1] : '\0';
            if (e != '\'' && e != '\\')
                return error(p, "invalid escape in a string (only \\' and \\\\ are allowed)");
            body.push_back(e);
            p += 2;
            continue;
        }
        body.push_back(c);
        ++p;
    }
    pos_ = p + 1;
    Token t = make(TokenKind::String, start, pos_);
    if (prefix == '\0') {
        t.text = std::move(body);
    } else if (prefix == 't') {
        // Upper-case T and Z only, as STIX writes timestamps (the reference matcher too).
        auto us =
            body.find_first_of("tz") == std::string::npos ? parse_timestamp(body) : std::nullopt;
        if (!us) return error(start, "invalid timestamp (expected t'YYYY-MM-DDTHH:MM:SS[.s]Z')");
        t.kind = TokenKind::Timestamp;
        t.integer = *us;
    } else {
        auto bytes = prefix == 'h' ? decode_hex(body) : decode_base64(body);
        if (!bytes)
            return error(start, prefix == 'h' ? "invalid hex constant (pairs of hex digits)"
                                              : "invalid base64 constant");
        t.kind = TokenKind::Binary;
        t.hex = prefix == 'h';
        t.text = std::move(*bytes);
    }
    return t;
}

std::string describe_token(const Token& token) {
    if (token.kind == TokenKind::End) return "end of pattern";
    std::string_view raw = token.raw;
    if (token.kind == TokenKind::String || token.kind == TokenKind::Binary ||
        token.kind == TokenKind::Timestamp)
        return raw.size() > 24 ? "constant " + std::string(raw.substr(0, 24)) + "..."
                               : "constant " + std::string(raw);
    if (raw.size() > 24) return "'" + std::string(raw.substr(0, 24)) + "...'";
    return "'" + std::string(raw) + "'";
}

}  // namespace vigie::stix
