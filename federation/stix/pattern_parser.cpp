// SPDX-License-Identifier: EUPL-1.2
// Recursive descent over the STIX 2.1 grammar (section 9, the ANTLR grammar of
// oasis-open/cti-stix2-json-schemas), lowest precedence first:
//   pattern      := obs_fb End
//   obs_fb       := obs_or  (FOLLOWEDBY obs_or)*
//   obs_or       := obs_and (OR obs_and)*
//   obs_and      := obs_atom (AND obs_atom)*
//   obs_atom     := ('[' cmp_or ']' | '(' obs_fb ')') qualifier*
//   cmp_or       := cmp_and (OR cmp_and)*
//   cmp_and      := cmp_atom (AND cmp_atom)*
//   cmp_atom     := '(' cmp_or ')' | NOT? EXISTS path | path NOT? operator constant(s)
// Chains of one operator become one n-ary node, so that only brackets and parentheses
// deepen the tree; they are limited to vigie::input_limits().max_nesting_depth, so the
// parser, the evaluator and every other walk over the tree recurse at most that deep.
#include "federation/stix/pattern_parser.hpp"

#include <utility>

#include "core/input_limits.hpp"
#include "federation/stix/pattern_ast.hpp"
#include "federation/stix/pattern_lexer.hpp"
#include "federation/stix/pattern_regex.hpp"

namespace vigie::stix {
namespace {

// Errors are sticky: the first one is kept and the current token becomes an Error token, which
// no rule accepts, so every rule returns at once without exceptions or further reading.

class Parser {
  public:
    explicit Parser(std::string_view text) : lexer_(text) {}

    ObservationExpr parse_all() {
        advance();
        if (tok_.kind == TokenKind::End) fail(1, "empty pattern");
        ObservationExpr root = observation_followedby();
        if (tok_.kind != TokenKind::End)
            fail(tok_.column, "unexpected " + describe_token(tok_) + " after the pattern" +
                                  hint_after_observation());
        return root;
    }

    Error error;
    [[nodiscard]] bool failed() const { return failed_; }

  private:
    void fail(uint32_t column, std::string message) {
        if (!failed_) {
            failed_ = true;
            error.where.column = column;
            error.message = "column " + std::to_string(column) + ": " + std::move(message);
        }
        tok_.kind = TokenKind::Error;
    }

    void advance() {
        if (failed_) return;
        tok_ = lexer_.next();
        if (tok_.kind == TokenKind::Error) fail(tok_.column, tok_.text);
    }

    bool at_keyword(std::string_view word) const {
        return tok_.kind == TokenKind::Keyword && tok_.text == word;
    }

    void expect_keyword(std::string_view word, const std::string& context) {
        if (!at_keyword(word))
            fail(tok_.column, "expected " + std::string(word) + " " + context + ", found " +
                                  describe_token(tok_));
        advance();
    }

    struct DepthGuard {
        Parser& parser;
        DepthGuard(Parser& p, uint32_t column) : parser(p) {
            if (++parser.depth_ > input_limits().max_nesting_depth)
                parser.fail(column, nesting_error_text());
        }
        ~DepthGuard() { --parser.depth_; }
        DepthGuard(const DepthGuard&) = delete;
        DepthGuard& operator=(const DepthGuard&) = delete;
    };

    std::string hint_after_observation() const {
        if (tok_.kind == TokenKind::Keyword && (tok_.text == "SECONDS" || tok_.text == "TIMES"))
            return "";
        return " (observation expressions are joined by AND, OR or FOLLOWEDBY)";
    }

    template <typename Node, typename Kind, typename Sub>
    Node chain(std::string_view keyword, Kind kind, Sub sub) {
        Node first = (this->*sub)();
        if (!at_keyword(keyword)) return first;
        Node node;
        node.kind = kind;
        node.column = tok_.column;
        node.children.push_back(std::move(first));
        while (at_keyword(keyword)) {
            advance();
            node.children.push_back((this->*sub)());
        }
        return node;
    }

    ObservationExpr observation_followedby() {
        return chain<ObservationExpr>("FOLLOWEDBY", ObservationExpr::Kind::FollowedBy,
                                      &Parser::observation_or);
    }
    ObservationExpr observation_or() {
        return chain<ObservationExpr>("OR", ObservationExpr::Kind::Or, &Parser::observation_and);
    }
    ObservationExpr observation_and() {
        return chain<ObservationExpr>("AND", ObservationExpr::Kind::And,
                                      &Parser::observation_qualified);
    }

    ObservationExpr observation_qualified() {
        ObservationExpr atom = observation_atom();
        while (tok_.kind == TokenKind::Keyword) {
            if (tok_.text == "WITHIN")
                atom.qualifiers.push_back(within_qualifier());
            else if (tok_.text == "REPEATS")
                atom.qualifiers.push_back(repeats_qualifier());
            else if (tok_.text == "START")
                atom.qualifiers.push_back(start_stop_qualifier());
            else
                break;
        }
        return atom;
    }

    ObservationExpr observation_atom() {
        uint32_t open = tok_.column;
        if (tok_.kind == TokenKind::LParen) {
            DepthGuard guard(*this, open);
            advance();
            ObservationExpr inner = observation_followedby();
            if (tok_.kind != TokenKind::RParen)
                fail(tok_.column, "expected ')' to close the parenthesis opened at column " +
                                      std::to_string(open) + ", found " + describe_token(tok_));
            advance();
            return inner;
        }
        if (tok_.kind != TokenKind::LBracket)
            fail(tok_.column, "expected '[' or '(' to start an observation expression, found " +
                                  describe_token(tok_));
        DepthGuard guard(*this, open);
        advance();
        ObservationExpr obs;
        obs.kind = ObservationExpr::Kind::Observation;
        obs.column = open;
        obs.comparison = comparison_or();
        if (tok_.kind != TokenKind::RBracket)
            fail(tok_.column, "expected ']' to close the observation expression opened at column " +
                                  std::to_string(open) + ", found " + describe_token(tok_));
        advance();
        return obs;
    }

    Qualifier within_qualifier() {
        Qualifier q;
        q.kind = Qualifier::Kind::Within;
        q.column = tok_.column;
        advance();
        if ((tok_.kind != TokenKind::Int && tok_.kind != TokenKind::Float) || tok_.real <= 0)
            fail(tok_.column,
                 "WITHIN needs a positive number of seconds, found " + describe_token(tok_));
        q.within_seconds = tok_.real;
        advance();
        expect_keyword("SECONDS", "after WITHIN's number");
        return q;
    }

    Qualifier repeats_qualifier() {
        Qualifier q;
        q.kind = Qualifier::Kind::Repeats;
        q.column = tok_.column;
        advance();
        if (tok_.kind != TokenKind::Int || tok_.integer <= 0)
            fail(tok_.column, "REPEATS needs a positive integer, found " + describe_token(tok_));
        q.repeats = tok_.integer;
        advance();
        expect_keyword("TIMES", "after REPEATS' count");
        return q;
    }

    Qualifier start_stop_qualifier() {
        Qualifier q;
        q.kind = Qualifier::Kind::StartStop;
        q.column = tok_.column;
        advance();
        q.start_us = timestamp_constant("START");
        expect_keyword("STOP", "after START's timestamp");
        q.stop_us = timestamp_constant("STOP");
        return q;
    }

    int64_t timestamp_constant(const char* keyword) {
        if (tok_.kind != TokenKind::Timestamp)
            fail(tok_.column, std::string(keyword) + " needs a timestamp constant t'...Z', found " +
                                  describe_token(tok_));
        int64_t us = tok_.integer;
        advance();
        return us;
    }

    ComparisonExpr comparison_or() {
        return chain<ComparisonExpr>("OR", ComparisonExpr::Kind::Or, &Parser::comparison_and);
    }
    ComparisonExpr comparison_and() {
        return chain<ComparisonExpr>("AND", ComparisonExpr::Kind::And, &Parser::comparison_atom);
    }

    ComparisonExpr comparison_atom() {
        uint32_t open = tok_.column;
        if (tok_.kind == TokenKind::LParen) {
            DepthGuard guard(*this, open);
            advance();
            ComparisonExpr inner = comparison_or();
            if (tok_.kind != TokenKind::RParen)
                fail(tok_.column, "expected ')' to close the parenthesis opened at column " +
                                      std::to_string(open) + ", found " + describe_token(tok_));
            advance();
            return inner;
        }
        ComparisonExpr leaf;
        leaf.kind = ComparisonExpr::Kind::Leaf;
        leaf.column = open;
        leaf.leaf = comparison();
        return leaf;
    }

    Comparison comparison() {
        Comparison c;
        if (at_keyword("NOT") || at_keyword("EXISTS")) {
            c.column = tok_.column;
            c.negated = at_keyword("NOT");
            if (c.negated) advance();
            expect_keyword("EXISTS", "after NOT here");
            c.op = CompareOp::Exists;
            c.path = object_path();
            return c;
        }
        c.path = object_path();
        if (at_keyword("NOT")) {
            c.negated = true;
            advance();
        }
        c.column = tok_.column;
        c.op = comparison_operator();
        advance();
        comparison_operand(c);
        return c;
    }

    CompareOp comparison_operator() {
        switch (tok_.kind) {
            case TokenKind::Equal:
                return CompareOp::Equal;
            case TokenKind::NotEqual:
                return CompareOp::NotEqual;
            case TokenKind::Less:
                return CompareOp::Less;
            case TokenKind::LessEqual:
                return CompareOp::LessEqual;
            case TokenKind::Greater:
                return CompareOp::Greater;
            case TokenKind::GreaterEqual:
                return CompareOp::GreaterEqual;
            default:
                break;
        }
        if (at_keyword("IN")) return CompareOp::In;
        if (at_keyword("LIKE")) return CompareOp::Like;
        if (at_keyword("MATCHES")) return CompareOp::Matches;
        if (at_keyword("ISSUBSET")) return CompareOp::IsSubset;
        if (at_keyword("ISSUPERSET")) return CompareOp::IsSuperset;
        fail(tok_.column,
             "expected a comparison operator (= != < <= > >= IN LIKE MATCHES "
             "ISSUBSET ISSUPERSET) after the object path, found " +
                 describe_token(tok_));
        return CompareOp::Equal;
    }

    void comparison_operand(Comparison& c) {
        switch (c.op) {
            case CompareOp::In:
                in_set(c);
                return;
            case CompareOp::Like:
            case CompareOp::Matches:
            case CompareOp::IsSubset:
            case CompareOp::IsSuperset:
                string_operand(c);
                return;
            default:
                break;
        }
        bool ordered = c.op != CompareOp::Equal && c.op != CompareOp::NotEqual;
        if (ordered && tok_.kind == TokenKind::Bool)
            fail(tok_.column, "a boolean cannot be ordered; use = or !=");
        c.values.push_back(constant("after the operator"));
    }

    void string_operand(Comparison& c) {
        const char* name = c.op == CompareOp::Like       ? "LIKE"
                           : c.op == CompareOp::Matches  ? "MATCHES"
                           : c.op == CompareOp::IsSubset ? "ISSUBSET"
                                                         : "ISSUPERSET";
        if (tok_.kind != TokenKind::String)
            fail(tok_.column,
                 std::string(name) + " needs a string constant, found " + describe_token(tok_));
        if (c.op == CompareOp::Matches && !failed_) {
            if (auto compiled = PatternRegex::compile(tok_.text); !compiled)
                fail(tok_.column,
                     "invalid regular expression for MATCHES: " + compiled.error().message);
        }
        c.values.push_back(constant(""));
    }

    void in_set(Comparison& c) {
        uint32_t open = tok_.column;
        if (tok_.kind != TokenKind::LParen)
            fail(tok_.column,
                 "expected '(' to open IN's set of constants, found " + describe_token(tok_));
        advance();
        if (tok_.kind == TokenKind::RParen) {
            advance();
            return;
        }
        while (!failed_) {
            c.values.push_back(constant("in the IN set"));
            if (tok_.kind == TokenKind::RParen) break;
            if (tok_.kind != TokenKind::Comma)
                fail(tok_.column, "expected ',' or ')' in the IN set opened at column " +
                                      std::to_string(open) + ", found " + describe_token(tok_));
            advance();
        }
        advance();
    }

    Constant constant(const std::string& context) {
        Constant k;
        k.column = tok_.column;
        switch (tok_.kind) {
            case TokenKind::String:
                k.kind = Constant::Kind::String;
                break;
            case TokenKind::Int:
                k.kind = Constant::Kind::Int;
                break;
            case TokenKind::Float:
                k.kind = Constant::Kind::Float;
                break;
            case TokenKind::Bool:
                k.kind = Constant::Kind::Bool;
                break;
            case TokenKind::Timestamp:
                k.kind = Constant::Kind::Timestamp;
                break;
            case TokenKind::Binary:
                k.kind = tok_.hex ? Constant::Kind::Hex : Constant::Kind::Binary;
                break;
            default:
                fail(tok_.column,
                     "expected a constant " + context + ", found " + describe_token(tok_));
        }
        k.text = tok_.text;
        k.integer = tok_.integer;
        k.real = tok_.real;
        k.boolean = tok_.boolean;
        advance();
        return k;
    }

    std::string path_key(bool first) {
        if (tok_.kind == TokenKind::String) {
            std::string key = tok_.text;
            advance();
            return key;
        }
        if (tok_.kind == TokenKind::Identifier) {
            if (tok_.has_hyphen)
                fail(tok_.column,
                     "a property name holding '-' must be quoted: '" + tok_.text + "'");
            std::string key = tok_.text;
            advance();
            return key;
        }
        fail(tok_.column, std::string("expected a property name ") +
                              (first ? "after ':'" : "after '.'") + ", found " +
                              describe_token(tok_));
        return {};
    }

    ObjectPath object_path() {
        ObjectPath path;
        path.column = tok_.column;
        if (tok_.kind != TokenKind::Identifier)
            fail(tok_.column,
                 "expected an object path (type:property), found " + describe_token(tok_));
        path.object_type = tok_.text;
        advance();
        if (tok_.kind != TokenKind::Colon)
            fail(tok_.column, "expected ':' after the object type '" + path.object_type +
                                  "', found " + describe_token(tok_));
        advance();
        path.steps.push_back({PathStep::Kind::Key, path_key(true), 0});
        for (;;) {
            if (tok_.kind == TokenKind::Dot) {
                advance();
                path.steps.push_back({PathStep::Kind::Key, path_key(false), 0});
            } else if (tok_.kind == TokenKind::LBracket) {
                path.steps.push_back(list_index());
            } else {
                return path;
            }
        }
    }

    PathStep list_index() {
        uint32_t open = tok_.column;
        advance();
        PathStep step;
        if (tok_.kind == TokenKind::Asterisk) {
            step.kind = PathStep::Kind::AnyIndex;
        } else if (tok_.kind == TokenKind::Int) {
            step.kind = PathStep::Kind::Index;
            step.index = tok_.integer;
        } else {
            fail(tok_.column,
                 "expected an integer or '*' as a list index, found " + describe_token(tok_));
        }
        advance();
        if (tok_.kind != TokenKind::RBracket)
            fail(tok_.column, "expected ']' to close the list index opened at column " +
                                  std::to_string(open) + ", found " + describe_token(tok_));
        advance();
        return step;
    }

    PatternLexer lexer_;
    Token tok_;
    uint32_t depth_ = 0;
    bool failed_ = false;
};

}  // namespace

PatternParse parse_pattern(std::string_view text) {
    Parser parser(text);
    auto pattern = std::make_shared<Pattern>();
    pattern->root = parser.parse_all();
    if (parser.failed()) return parser.error;
    pattern->text = std::string(text);
    return std::shared_ptr<const Pattern>(std::move(pattern));
}

}  // namespace vigie::stix
