// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The nesting bound (vigie::input_limits().max_nesting_depth) on the JSON of STIX bundles,
// TAXII bodies and MISP events. simdjson's DOM parser builds its tape without recursion and
// refuses a document deeper than its max_depth with DEPTH_ERROR; these helpers set that
// depth from the one limit, say where the document went too deep, and split an array of
// objects without descending into them, so that one object too deep does not refuse the
// others (simdjson's On-Demand API skips a value with a counter, not by recursion).
//
// Depth counts the arrays and objects that hold something, as simdjson does: an object
// holding an array of numbers is 2 levels; an empty [] or {} adds none (nothing to walk).
#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace vigie::stix {

// Sets `parser` to refuse, with simdjson::DEPTH_ERROR, documents nested deeper than the
// limit plus `wrapper_levels` (the envelope and array around objects, when they are
// parsed together). False when simdjson cannot allocate.
bool limit_json_depth(simdjson::dom::parser& parser, uint32_t wrapper_levels = 0);

// The offset of the '[' or '{' opening the first level deeper than `levels`, or nothing.
// One pass, no recursion, strings skipped.
std::optional<size_t> first_too_deep(std::string_view json, uint32_t levels);

struct TextPosition {
    uint32_t line = 1;  // 1-based
    uint32_t column = 1;
};

// Line and column of offsets asked in increasing order: a document holding many bad
// objects costs one pass, not one per object (it starts over if asked backwards).
class TextLocator {
  public:
    explicit TextLocator(std::string_view text) : text_(text) {}
    TextPosition at(size_t offset);

  private:
    std::string_view text_;
    size_t offset_ = 0;
    TextPosition position_;
};

// "nested deeper than N levels" and, when found, where in `json`.
struct NestingError {
    std::string message;           // vigie::nesting_error_text()
    std::optional<size_t> offset;  // into `json`
};
NestingError nesting_error(std::string_view json, uint32_t wrapper_levels = 0);

// One element of an array of objects: where it is in the text the array was read from.
struct ElementSpan {
    size_t offset = 0;
    size_t size = 0;
};

// The elements of `json`'s array of objects: `json` itself when it is an array, else its
// "objects" member. Nothing is parsed inside the elements. An error: what is wrong with the
// document's structure.
Result<std::vector<ElementSpan>> object_spans(std::string_view json);

// A top-level string member of one JSON object ("id"), read without parsing the other
// members' values; "" when absent or not a string.
std::string top_level_string(std::string_view object_json, std::string_view key);
std::optional<bool> top_level_bool(std::string_view object_json, std::string_view key);

}  // namespace vigie::stix
