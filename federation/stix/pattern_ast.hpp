// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The STIX 2.1 pattern AST, as federation/stix/pattern_parser.cpp builds it. Every node keeps the
// 1-based column where it starts, so that later stages (line_rate_terms, the evaluator)
// can say which part of the text they refuse.
#include <cstdint>
#include <string>
#include <vector>

namespace vigie::stix {

// One step of an object path after the first property: .key, .'quoted key', [n] or [*].
struct PathStep {
    enum class Kind { Key, Index, AnyIndex };
    Kind kind = Kind::Key;
    std::string key;    // Kind::Key, unquoted
    int64_t index = 0;  // Kind::Index; negative counts from the end
};

struct ObjectPath {
    std::string object_type;      // "file", "network-traffic"
    std::vector<PathStep> steps;  // the first is always a Key (the property)
    uint32_t column = 0;
};

struct Constant {
    enum class Kind { String, Int, Float, Bool, Binary, Hex, Timestamp };
    Kind kind = Kind::String;
    std::string text;     // String: unescaped; Binary/Hex: the decoded bytes
    int64_t integer = 0;  // Int; Timestamp: microseconds since the epoch
    double real = 0;      // Float (and Int, converted)
    bool boolean = false;
    uint32_t column = 0;
};

enum class CompareOp {
    Equal,
    NotEqual,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
    In,
    Like,
    Matches,
    IsSubset,
    IsSuperset,
    Exists
};

struct Comparison {
    ObjectPath path;
    CompareOp op = CompareOp::Equal;
    bool negated = false;          // NOT before the operator (or before EXISTS)
    std::vector<Constant> values;  // one, or the IN set (possibly empty); none for EXISTS
    uint32_t column = 0;           // of the operator
};

// A comparison expression: a leaf comparison, or an AND / OR of two or more.
struct ComparisonExpr {
    enum class Kind { Leaf, And, Or };
    Kind kind = Kind::Leaf;
    Comparison leaf;
    std::vector<ComparisonExpr> children;
    uint32_t column = 0;  // of the leaf's path, or of the operator keyword
};

struct Qualifier {
    enum class Kind { Within, StartStop, Repeats };
    Kind kind = Kind::Within;
    double within_seconds = 0;
    int64_t start_us = 0;  // StartStop: [start, stop)
    int64_t stop_us = 0;
    int64_t repeats = 0;
    uint32_t column = 0;
};

// An observation expression: [comparisons], or an AND / OR / FOLLOWEDBY of two or more;
// any of them may carry qualifiers (applied in the order written).
struct ObservationExpr {
    enum class Kind { Observation, And, Or, FollowedBy };
    Kind kind = Kind::Observation;
    ComparisonExpr comparison;  // Kind::Observation
    std::vector<ObservationExpr> children;
    std::vector<Qualifier> qualifiers;
    uint32_t column = 0;  // of '[' / '(' / the operator keyword
};

struct Pattern {
    ObservationExpr root;
    std::string text;
};

}  // namespace vigie::stix
