// SPDX-License-Identifier: EUPL-1.2
#include "federation/stix/json_value.hpp"

#include <simdjson.h>

#include "federation/stix/json_depth.hpp"

namespace vigie::stix {
namespace {

// Recurses once per level: parse_json lets no deeper document than the nesting limit here.
void convert(simdjson::dom::element element, JsonValue& out) {
    using simdjson::dom::element_type;
    switch (element.type()) {
        case element_type::ARRAY:
            out.kind = JsonValue::Kind::Array;
            for (simdjson::dom::element item : element.get_array())
                convert(item, out.items.emplace_back());
            break;
        case element_type::OBJECT:
            out.kind = JsonValue::Kind::Object;
            for (auto field : element.get_object()) {
                JsonMember& member = out.members.emplace_back();
                member.key = std::string(field.key);
                convert(field.value, member.value);
            }
            break;
        case element_type::INT64:
            out.kind = JsonValue::Kind::Int;
            out.integer = element.get_int64().value_unsafe();
            out.real = static_cast<double>(out.integer);
            break;
        case element_type::UINT64:  // beyond int64: kept as a number, compared as a double
            out.kind = JsonValue::Kind::Float;
            out.real = static_cast<double>(element.get_uint64().value_unsafe());
            break;
        case element_type::DOUBLE:
            out.kind = JsonValue::Kind::Float;
            out.real = element.get_double().value_unsafe();
            break;
        case element_type::STRING:
            out.kind = JsonValue::Kind::String;
            out.text = std::string(element.get_string().value_unsafe());
            break;
        case element_type::BOOL:
            out.kind = JsonValue::Kind::Bool;
            out.boolean = element.get_bool().value_unsafe();
            break;
        case element_type::NULL_VALUE:
            out.kind = JsonValue::Kind::Null;
            break;
    }
}

}  // namespace

const JsonValue* JsonValue::find(std::string_view key) const {
    if (kind != Kind::Object) return nullptr;
    for (const auto& [name, value] : members)
        if (name == key) return &value;
    return nullptr;
}

std::string_view JsonValue::string_or(std::string_view key, std::string_view fallback) const {
    const JsonValue* v = find(key);
    return v != nullptr && v->kind == Kind::String ? std::string_view(v->text) : fallback;
}

Result<JsonValue> parse_json(std::string_view text) {
    simdjson::dom::parser parser;
    if (!limit_json_depth(parser)) return Error{"out of memory"};
    simdjson::padded_string padded(text);
    simdjson::dom::element root;
    if (auto code = parser.parse(padded).get(root); code == simdjson::DEPTH_ERROR) {
        NestingError nesting = nesting_error(text);
        Error error{std::move(nesting.message)};
        if (nesting.offset) {
            const TextPosition at = TextLocator(text).at(*nesting.offset);
            error.where.line = at.line;
            error.where.column = at.column;
        }
        return error;
    } else if (code != simdjson::SUCCESS) {
        return Error{std::string("invalid JSON: ") + simdjson::error_message(code)};
    }
    JsonValue out;
    convert(root, out);
    return out;
}

}  // namespace vigie::stix
