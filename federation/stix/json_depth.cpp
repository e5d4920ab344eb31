// SPDX-License-Identifier: EUPL-1.2
#include "federation/stix/json_depth.hpp"

#include <algorithm>

#include "core/input_limits.hpp"

namespace vigie::stix {
namespace {

namespace od = simdjson::ondemand;

// The next byte after `i` that is not JSON white space, or the end.
size_t skip_space(std::string_view s, size_t i) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
    return i;
}

// The raw text of one array element, whatever its type, without parsing inside it.
simdjson::error_code element_text(od::value element, std::string_view& out) {
    od::json_type type;
    if (auto e = element.type().get(type)) return e;
    if (type == od::json_type::object) {
        od::object object;
        if (auto e = element.get_object().get(object)) return e;
        return object.raw_json().get(out);
    }
    if (type == od::json_type::array) {
        od::array array;
        if (auto e = element.get_array().get(array)) return e;
        return array.raw_json().get(out);
    }
    out = element.raw_json_token();
    return simdjson::SUCCESS;
}

Result<std::vector<ElementSpan>> spans_of(od::array array, const char* base) {
    std::vector<ElementSpan> out;
    for (auto element : array) {
        od::value value;
        std::string_view text;
        if (element.get(value) || element_text(value, text))
            return Error{"malformed JSON in the array of objects"};
        out.push_back({size_t(text.data() - base), text.size()});
    }
    return out;
}

}  // namespace

bool limit_json_depth(simdjson::dom::parser& parser, uint32_t wrapper_levels) {
    // simdjson refuses a container opened when `max_depth` are already open, counting the
    // root's level from 1: max_depth = levels + 1 lets exactly `levels` through.
    const size_t depth = size_t{input_limits().max_nesting_depth} + wrapper_levels + 1;
    return parser.allocate(simdjson::SIMDJSON_PADDING, depth) == simdjson::SUCCESS;
}

std::optional<size_t> first_too_deep(std::string_view json, uint32_t levels) {
    uint64_t depth = 0;
    for (size_t i = 0; i < json.size(); ++i) {
        const char c = json[i];
        if (c == '"') {
            for (++i; i < json.size() && json[i] != '"'; ++i)
                if (json[i] == '\\') ++i;
        } else if (c == '[' || c == '{') {
            const size_t next = skip_space(json, i + 1);
            const bool empty = next < json.size() && json[next] == (c == '[' ? ']' : '}');
            if (empty) {
                i = next;
            } else if (++depth > levels) {
                return i;
            }
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return std::nullopt;
}

TextPosition TextLocator::at(size_t offset) {
    offset = std::min(offset, text_.size());
    if (offset < offset_) offset_ = 0, position_ = {};
    for (; offset_ < offset; ++offset_) {
        if (text_[offset_] == '\n') {
            ++position_.line;
            position_.column = 1;
        } else {
            ++position_.column;
        }
    }
    return position_;
}

NestingError nesting_error(std::string_view json, uint32_t wrapper_levels) {
    NestingError out;
    out.message = nesting_error_text();
    out.offset = first_too_deep(json, input_limits().max_nesting_depth + wrapper_levels);
    return out;
}

Result<std::vector<ElementSpan>> object_spans(std::string_view json) {
    const simdjson::padded_string padded(json);
    od::parser parser;
    od::document doc;
    if (auto e = parser.iterate(padded).get(doc))
        return Error{std::string("not JSON: ") + simdjson::error_message(e)};
    od::json_type type;
    if (doc.type().get(type)) return Error{"not JSON"};
    od::array array;
    if (type == od::json_type::array) {
        if (doc.get_array().get(array)) return Error{"malformed JSON (an unclosed array?)"};
    } else if (type == od::json_type::object) {
        auto field = doc.find_field_unordered("objects");
        if (field.error() == simdjson::NO_SUCH_FIELD) return std::vector<ElementSpan>{};
        if (field.get_array().get(array)) return Error{"\"objects\" is not a list"};
    } else {
        return Error{"neither an object nor an array"};
    }
    return spans_of(array, padded.data());
}

namespace {

// `read` given the value of `key` in the object `json`, when it has one.
template <typename Read>
void with_member(std::string_view json, std::string_view key, Read read) {
    const simdjson::padded_string padded(json);
    od::parser parser;
    od::document doc;
    od::object object;
    od::value value;
    if (parser.iterate(padded).get(doc) || doc.get_object().get(object) ||
        object.find_field_unordered(key).get(value))
        return;
    read(value);
}

}  // namespace

std::string top_level_string(std::string_view object_json, std::string_view key) {
    std::string out;
    with_member(object_json, key, [&](od::value value) {
        std::string_view text;
        if (!value.get_string().get(text)) out = std::string(text);
    });
    return out;
}

std::optional<bool> top_level_bool(std::string_view object_json, std::string_view key) {
    std::optional<bool> out;
    with_member(object_json, key, [&](od::value value) {
        bool b = false;
        if (!value.get_bool().get(b)) out = b;
    });
    return out;
}

}  // namespace vigie::stix
