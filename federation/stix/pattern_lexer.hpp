// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Tokens of the STIX 2.1 patterning language. The lexer decodes constants as it reads them
// (string escapes, base64, hex, timestamps), so the parser only sees checked values.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigie::stix {

enum class TokenKind {
    End,
    Error,  // `text` holds the message (without the column)
    LBracket,
    RBracket,
    LParen,
    RParen,
    Colon,
    Dot,
    Comma,
    Asterisk,
    Equal,
    NotEqual,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    Identifier,  // object types, property names; `has_hyphen` when it holds a '-'
    Keyword,     // AND OR NOT FOLLOWEDBY LIKE MATCHES ISSUBSET ISSUPERSET EXISTS IN START STOP
                 // WITHIN SECONDS REPEATS TIMES (upper case, as the grammar spells them)
    Bool,
    String,
    Int,
    Float,
    Binary,  // b'...' and h'...', `text` holds the decoded bytes
    Timestamp,
};

struct Token {
    TokenKind kind = TokenKind::End;
    uint32_t column = 0;   // 1-based
    std::string text;      // identifier, keyword, unescaped string, decoded bytes, error message
    std::string_view raw;  // the token as written
    int64_t integer = 0;   // Int; Timestamp: microseconds since the epoch
    double real = 0;       // Float (and Int)
    bool boolean = false;
    bool has_hyphen = false;
    bool hex = false;  // Binary written as h'...'
};

class PatternLexer {
  public:
    explicit PatternLexer(std::string_view text) : text_(text) {}
    Token next();

  private:
    Token lex_number(size_t start);
    Token lex_word(size_t start);
    Token lex_quoted(size_t start, char prefix);
    Token make(TokenKind kind, size_t start, size_t end) const;
    Token error(size_t at, std::string message) const;

    std::string_view text_;
    size_t pos_ = 0;
};

// How a token reads in an error message: "end of pattern", "'AND'", "']'", "'abc...'".
std::string describe_token(const Token& token);

}  // namespace vigie::stix

namespace vigie::stix {

// h'...' and *_hex properties: pairs of hex digits. b'...' and *_bin: padded base64.
std::optional<std::string> decode_hex(std::string_view text);
std::optional<std::string> decode_base64(std::string_view text);

}  // namespace vigie::stix
