// SPDX-License-Identifier: EUPL-1.2
#include "detector/condition_parser.hpp"

#include <cctype>

#include "core/input_limits.hpp"
#include "core/text.hpp"

namespace vigie {

namespace {

struct Token {
    enum class Kind : uint8_t { Word, Number, LParen, RParen, Pipe, End } kind;
    std::string_view text;
    size_t offset;
};

std::vector<Token> tokenize(std::string_view s) {
    std::vector<Token> out;
    size_t i = 0;
    while (i < s.size()) {
        char c = s[i];
        if (std::isspace(static_cast<unsigned char>(c)) != 0) {
            ++i;
        } else if (c == '(' || c == ')' || c == '|') {
            auto kind = c == '('   ? Token::Kind::LParen
                        : c == ')' ? Token::Kind::RParen
                                   : Token::Kind::Pipe;
            out.push_back({kind, s.substr(i, 1), i});
            ++i;
        } else {
            size_t start = i;
            while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])) == 0 &&
                   s[i] != '(' && s[i] != ')' && s[i] != '|') {
                ++i;
            }
            std::string_view word = s.substr(start, i - start);
            bool digits = word.find_first_not_of("0123456789") == std::string_view::npos;
            out.push_back({digits ? Token::Kind::Number : Token::Kind::Word, word, start});
        }
    }
    out.push_back({Token::Kind::End, {}, s.size()});
    return out;
}

bool keyword_is(const Token& t, std::string_view kw) {
    return t.kind == Token::Kind::Word && equals_ascii_nocase(t.text, kw);
}

// '*' and '?' over a selection name, without recursion or backtracking blow-up: on a
// mismatch only the last '*' is retried, one character further (O(pattern x name)).
bool glob_name_match(std::string_view pattern, std::string_view name) {
    size_t p = 0;
    size_t n = 0;
    size_t star = std::string_view::npos;
    size_t resume = 0;
    while (n < name.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
            ++p;
            ++n;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            resume = n;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            n = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

class Parser {
  public:
    Parser(std::string_view text, const std::vector<std::string>& selections, Condition& out)
        : tokens_(tokenize(text)), selections_(selections), out_(out) {}

    std::variant<uint32_t, ConditionError> parse() {
        uint32_t root = parse_or();
        if (!error_.message.empty()) return error_;
        if (peek().kind == Token::Kind::Pipe) {
            fail(peek(),
                 "aggregation expressions ('|') are not part of Sigma conditions; "
                 "use a correlation rule");
            return error_;
        }
        if (peek().kind != Token::Kind::End) {
            fail(peek(), "unexpected '" + std::string(peek().text) + "'");
            return error_;
        }
        return root;
    }

  private:
    const Token& peek() const { return tokens_[pos_]; }
    const Token& next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
    bool failed() const { return !error_.message.empty(); }

    uint32_t fail(const Token& t, std::string message) {
        if (!failed()) error_ = ConditionError{t.offset, std::move(message)};
        return add(ConditionNode{ConditionNode::Op::True, 0, 0, {}});
    }

    uint32_t add(ConditionNode node) {
        out_.nodes.push_back(std::move(node));
        return static_cast<uint32_t>(out_.nodes.size() - 1);
    }

    uint32_t parse_binary(ConditionNode::Op op, std::string_view kw, uint32_t (Parser::*sub)()) {
        uint32_t first = (this->*sub)();
        if (!keyword_is(peek(), kw)) return first;
        ConditionNode node{op, 0, 0, {first}};
        while (!failed() && keyword_is(peek(), kw)) {
            next();
            node.children.push_back((this->*sub)());
        }
        return add(std::move(node));
    }

    uint32_t parse_or() { return parse_binary(ConditionNode::Op::Or, "or", &Parser::parse_and); }
    uint32_t parse_and() { return parse_binary(ConditionNode::Op::And, "and", &Parser::parse_not); }

    // Each "not" and each '(' is one level of the parser's recursion and of every later
    // walk over the tree (evaluation, explanation, analysis): bounded, so that no condition
    // can exhaust a stack.
    bool enter(const Token& t) {
        if (++depth_ <= input_limits().max_nesting_depth) return true;
        fail(t, nesting_error_text());
        return false;
    }

    uint32_t parse_not() {
        if (keyword_is(peek(), "not")) {
            const Token& t = next();
            if (!enter(t)) return fail(t, {});
            uint32_t child = parse_not();
            --depth_;
            return add(ConditionNode{ConditionNode::Op::Not, 0, 0, {child}});
        }
        return parse_primary();
    }

    uint32_t parse_primary() {
        const Token& t = next();
        if (t.kind == Token::Kind::LParen) {
            if (!enter(t)) return fail(t, {});
            uint32_t inner = parse_or();
            --depth_;
            if (failed()) return inner;
            if (peek().kind != Token::Kind::RParen) return fail(peek(), "missing ')'");
            next();
            return inner;
        }
        if (t.kind == Token::Kind::Number || keyword_is(t, "all") || keyword_is(t, "any")) {
            if (keyword_is(peek(), "of")) return parse_quantifier(t);
        }
        if (t.kind == Token::Kind::End)
            return fail(t, "condition ends where an expression was expected");
        if (t.kind != Token::Kind::Word && t.kind != Token::Kind::Number) {
            return fail(t, "unexpected '" + std::string(t.text) + "'");
        }
        if (keyword_is(t, "and") || keyword_is(t, "or") || keyword_is(t, "of") ||
            keyword_is(t, "them")) {
            return fail(t, "unexpected '" + std::string(t.text) + "'");
        }
        for (size_t i = 0; i < selections_.size(); ++i) {
            if (selections_[i] == t.text) {
                return add(
                    ConditionNode{ConditionNode::Op::Selection, static_cast<uint32_t>(i), 0, {}});
            }
        }
        return fail(t, "condition names '" + std::string(t.text) +
                           "', which is not a selection of this rule");
    }

    uint32_t parse_quantifier(const Token& quantity) {
        next();  // "of"
        const Token& target = next();
        if (target.kind != Token::Kind::Word && target.kind != Token::Kind::Number) {
            return fail(target, "expected a selection name, a pattern or 'them' after 'of'");
        }
        ConditionNode node{ConditionNode::Op::AtLeast, 0, 1, {}};
        bool them = keyword_is(target, "them");
        for (size_t i = 0; i < selections_.size(); ++i) {
            const std::string& name = selections_[i];
            bool take = them ? !name.starts_with('_') : glob_name_match(target.text, name);
            if (take) {
                node.children.push_back(add(
                    ConditionNode{ConditionNode::Op::Selection, static_cast<uint32_t>(i), 0, {}}));
            }
        }
        if (node.children.empty()) {
            return fail(target,
                        "'" + std::string(target.text) + "' matches no selection of this rule");
        }
        if (keyword_is(quantity, "all")) {
            node.op = ConditionNode::Op::And;
        } else if (!keyword_is(quantity, "any")) {
            if (quantity.text.size() > 6) return fail(quantity, "quantifier too large");
            node.count = static_cast<uint32_t>(std::stoul(std::string(quantity.text)));
            if (node.count == 0) return fail(quantity, "'0 of' is not a valid quantifier");
        }
        if (node.op == ConditionNode::Op::AtLeast && node.count == 1)
            node.op = ConditionNode::Op::Or;
        return add(std::move(node));
    }

    std::vector<Token> tokens_;
    size_t pos_ = 0;
    uint32_t depth_ = 0;  // "not"s and '('s open at this point
    const std::vector<std::string>& selections_;
    Condition& out_;
    ConditionError error_;
};

}  // namespace

std::variant<uint32_t, ConditionError> parse_condition(std::string_view text,
                                                       const std::vector<std::string>& selections,
                                                       Condition& out) {
    return Parser(text, selections, out).parse();
}

}  // namespace vigie
