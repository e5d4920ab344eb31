// SPDX-License-Identifier: EUPL-1.2
// Every condition form of the Sigma specification (sigma-rules-specification.md,
// "Condition"): and, or, not, brackets, precedence (or < and < not < x of < brackets),
// 1/all of a pattern, 1/all of them (without the names starting with '_'), and a list of
// conditions (any of them).
//
// Each rule below has selections a, b, c, ... that test fields A, B, C, ...; an event is
// written as the set of selections that hold in it, e.g. event("ac") = {"A":"1","C":"1"}.
#include <doctest/doctest.h>

#include <initializer_list>
#include <string>
#include <string_view>

#include "tests/support/sigma_harness.hpp"

using vigie::test::SigmaHarness;

namespace {

// A rule with one selection per name in `names` (selection `x` tests field `X` == '1'
// for a one-letter name; longer names test the field of the same name) and `condition`
// (a YAML value, written after `condition:`).
std::string rule(std::initializer_list<std::string_view> names, std::string_view condition) {
    std::string out = "title: t\nid: r1\nlogsource: {product: test}\ndetection:\n";
    for (auto name : names) {
        std::string field(name);
        if (field.size() == 1) field[0] = static_cast<char>(field[0] - 'a' + 'A');
        out += "  " + std::string(name) + ":\n    " + field + ": '1'\n";
    }
    out += "  condition: " + std::string(condition) + "\n";
    return out;
}

// An event where the one-letter selections in `holding` hold.
std::string event(std::string_view holding) {
    std::string out = "{\"Z\":\"0\"";
    for (char c : holding)
        out += ",\"" + std::string(1, static_cast<char>(c - 'a' + 'A')) + "\":\"1\"";
    return out + "}";
}

// An event where the selections (fields) named in `names` hold.
std::string event_of(std::initializer_list<std::string_view> names) {
    std::string out = "{\"Z\":\"0\"";
    for (auto n : names) out += ",\"" + std::string(n) + "\":\"1\"";
    return out + "}";
}

}  // namespace

TEST_CASE("a single selection") {
    SigmaHarness h(rule({"a", "b"}, "a"));
    CHECK(h.matches(event("a")));
    CHECK(h.matches(event("ab")));
    CHECK_FALSE(h.matches(event("b")));
    CHECK_FALSE(h.matches(event("")));
}

TEST_CASE("and, or, not") {
    SigmaHarness both(rule({"a", "b"}, "a and b"));
    CHECK(both.matches(event("ab")));
    CHECK_FALSE(both.matches(event("a")));
    CHECK_FALSE(both.matches(event("b")));

    SigmaHarness either(rule({"a", "b"}, "a or b"));
    CHECK(either.matches(event("a")));
    CHECK(either.matches(event("b")));
    CHECK(either.matches(event("ab")));
    CHECK_FALSE(either.matches(event("")));

    SigmaHarness negated(rule({"a", "b"}, "not a"));
    CHECK(negated.matches(event("")));
    CHECK(negated.matches(event("b")));
    CHECK_FALSE(negated.matches(event("a")));

    // The specification's example: keywords and not filters.
    SigmaHarness filtered(rule({"a", "b"}, "a and not b"));
    CHECK(filtered.matches(event("a")));
    CHECK_FALSE(filtered.matches(event("ab")));
    CHECK_FALSE(filtered.matches(event("b")));

    SigmaHarness twice(rule({"a"}, "not not a"));
    CHECK(twice.matches(event("a")));
    CHECK_FALSE(twice.matches(event("")));
}

TEST_CASE("brackets group") {
    // The specification's example: selection1 and (keywords1 or keywords2)
    SigmaHarness h(rule({"a", "b", "c"}, "a and (b or c)"));
    CHECK(h.matches(event("ab")));
    CHECK(h.matches(event("ac")));
    CHECK_FALSE(h.matches(event("bc")));
    CHECK_FALSE(h.matches(event("a")));

    SigmaHarness neg(rule({"a", "b"}, "not (a and b)"));
    CHECK(neg.matches(event("a")));
    CHECK(neg.matches(event("")));
    CHECK_FALSE(neg.matches(event("ab")));

    SigmaHarness nested(rule({"a", "b", "c", "d"}, "((a or b) and (c or d))"));
    CHECK(nested.matches(event("bd")));
    CHECK_FALSE(nested.matches(event("ab")));
    CHECK_FALSE(nested.matches(event("cd")));
}

TEST_CASE("and binds tighter than or") {
    // a or b and c  ==  a or (b and c)
    SigmaHarness h(rule({"a", "b", "c"}, "a or b and c"));
    CHECK(h.matches(event("a")));
    CHECK(h.matches(event("bc")));
    CHECK_FALSE(h.matches(event("b")));
    CHECK_FALSE(h.matches(event("c")));
    CHECK_FALSE(h.matches(event("")));

    // a and b or c  ==  (a and b) or c
    SigmaHarness left(rule({"a", "b", "c"}, "a and b or c"));
    CHECK(left.matches(event("c")));
    CHECK(left.matches(event("ab")));
    CHECK_FALSE(left.matches(event("a")));
    CHECK_FALSE(left.matches(event("b")));
}

TEST_CASE("not binds tighter than and and or") {
    // not a and b  ==  (not a) and b
    SigmaHarness h(rule({"a", "b"}, "not a and b"));
    CHECK(h.matches(event("b")));
    CHECK_FALSE(h.matches(event("ab")));
    CHECK_FALSE(h.matches(event("")));  // would hold for not (a and b)

    // not a or b  ==  (not a) or b
    SigmaHarness or_(rule({"a", "b"}, "not a or b"));
    CHECK(or_.matches(event("")));
    CHECK(or_.matches(event("ab")));
    CHECK_FALSE(or_.matches(event("a")));
}

TEST_CASE("1 of and all of a pattern") {
    SigmaHarness one(rule({"selection1", "selection2", "filter"}, "1 of selection*"));
    CHECK(one.matches(event_of({"selection1"})));
    CHECK(one.matches(event_of({"selection2"})));
    CHECK_FALSE(one.matches(event_of({"filter"})));

    SigmaHarness all(rule({"selection1", "selection2", "filter"}, "all of selection*"));
    CHECK(all.matches(event_of({"selection1", "selection2"})));
    CHECK_FALSE(all.matches(event_of({"selection1", "filter"})));
    CHECK_FALSE(all.matches(event_of({"selection2"})));

    // "Matching is done with * wildcards (any number of characters) at arbitrary positions"
    SigmaHarness middle(rule({"sel_a_x", "sel_b_x", "sel_c_y"}, "1 of sel*x"));
    CHECK(middle.matches(event_of({"sel_b_x"})));
    CHECK_FALSE(middle.matches(event_of({"sel_c_y"})));

    // The specification's examples combining them.
    SigmaHarness with_and(
        rule({"selection1", "selection2", "keywords"}, "1 of selection* and keywords"));
    CHECK(with_and.matches(event_of({"selection2", "keywords"})));
    CHECK_FALSE(with_and.matches(event_of({"selection1", "selection2"})));
    CHECK_FALSE(with_and.matches(event_of({"keywords"})));

    SigmaHarness filters(rule({"selection_a", "selection_b", "filter_a", "filter_b"},
                              "1 of selection* and not 1 of filter*"));
    CHECK(filters.matches(event_of({"selection_b"})));
    CHECK_FALSE(filters.matches(event_of({"selection_b", "filter_a"})));
    CHECK_FALSE(filters.matches(event_of({"selection_a", "filter_b"})));
    CHECK_FALSE(filters.matches(event_of({"filter_a"})));

    SigmaHarness not_all(rule({"selection_a", "selection_b", "filter_a", "filter_b"},
                              "all of selection* and not all of filter*"));
    CHECK(not_all.matches(event_of({"selection_a", "selection_b", "filter_a"})));
    CHECK_FALSE(not_all.matches(event_of({"selection_a", "selection_b", "filter_a", "filter_b"})));
}

TEST_CASE("1 of them and all of them leave out names starting with _") {
    SigmaHarness one(rule({"a", "b", "_c"}, "1 of them"));
    CHECK(one.matches(event("a")));
    CHECK(one.matches(event("b")));
    CHECK_FALSE(one.matches(event_of({"_c"})));
    CHECK_FALSE(one.matches(event("")));

    SigmaHarness all(rule({"a", "b", "_c"}, "all of them"));
    CHECK(all.matches(event("ab")));
    CHECK_FALSE(all.matches(event("a")));
    CHECK_FALSE(all.matches(event("b")));

    // The selection starting with '_' is still usable by name.
    SigmaHarness named(rule({"a", "b", "_c"}, "all of them and not _c"));
    CHECK(named.matches(event("ab")));
    CHECK_FALSE(named.matches(event_of({"A", "B", "_c"})));
}

TEST_CASE("x of binds tighter than not, and, or") {
    // not 1 of sel*  ==  not (1 of sel*)
    SigmaHarness h(rule({"sel1", "sel2"}, "not 1 of sel*"));
    CHECK(h.matches(event("")));
    CHECK_FALSE(h.matches(event_of({"sel1"})));
    CHECK_FALSE(h.matches(event_of({"sel2"})));

    // all of sel* or other  ==  (all of sel*) or other
    SigmaHarness or_(rule({"sel1", "sel2", "other"}, "all of sel* or other"));
    CHECK(or_.matches(event_of({"other"})));
    CHECK(or_.matches(event_of({"sel1", "sel2"})));
    CHECK_FALSE(or_.matches(event_of({"sel1"})));
}

TEST_CASE("a list of conditions holds when any of them holds") {
    SigmaHarness h(rule({"a", "b", "c"}, "\n    - a and b\n    - c"));
    CHECK(h.matches(event("ab")));
    CHECK(h.matches(event("c")));
    CHECK_FALSE(h.matches(event("a")));
    CHECK_FALSE(h.matches(event("b")));
    CHECK_FALSE(h.matches(event("")));
}
