#pragma once
// An owned JSON tree: observed-data and SCOs as the evaluator walks them. (simdjson's DOM
// lives only as long as its parser; an observation set gathers many files.)
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigie::stix {

struct JsonValue {
    enum class Kind { Null, Bool, Int, Float, String, Array, Object };
    Kind kind = Kind::Null;
    bool boolean = false;
    int64_t integer = 0;
    double real = 0;
    std::string text;
    std::vector<JsonValue> items;                            // Array
    std::vector<std::pair<std::string, JsonValue>> members;  // Object, in document order

    [[nodiscard]] const JsonValue* find(std::string_view key) const;
    [[nodiscard]] std::string_view string_or(std::string_view key, std::string_view fallback) const;
};

// Null with `error` set on bad JSON ("line 3: ..."), simdjson's message otherwise.
bool parse_json(std::string_view text, JsonValue& out, std::string& error);

}  // namespace vigie::stix
