// SPDX-License-Identifier: EUPL-1.2
#pragma once
// An owned JSON tree: observed-data and SCOs as the evaluator walks them. (simdjson's DOM
// lives only as long as its parser; an observation set gathers many files.)
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace vigie::stix {

struct JsonMember;

struct JsonValue {
    enum class Kind { Null, Bool, Int, Float, String, Array, Object };
    Kind kind = Kind::Null;
    bool boolean = false;
    int64_t integer = 0;
    double real = 0;
    std::string text;
    std::vector<JsonValue> items;     // Array
    std::vector<JsonMember> members;  // Object, in document order

    [[nodiscard]] const JsonValue* find(std::string_view key) const;
    [[nodiscard]] std::string_view string_or(std::string_view key, std::string_view fallback) const;
};

// A member of an object. (Not std::pair: a pair needs JsonValue complete where it is named.)
struct JsonMember {
    std::string key;
    JsonValue value;
};

// An error ("invalid JSON: <simdjson's message>", "nested deeper than N levels", with the
// line and column in `where` when known, no file) when `text` is not one JSON document, or
// nests deeper than vigie::input_limits().max_nesting_depth (federation/stix/json_depth.hpp).
Result<JsonValue> parse_json(std::string_view text);

}  // namespace vigie::stix
