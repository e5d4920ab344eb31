// SPDX-License-Identifier: EUPL-1.2
#include "ingest/event_parser.hpp"

#include <algorithm>
#include <cstring>

#include "core/input_limits.hpp"
#include "ingest/json_padding.hpp"

namespace vigie {

namespace od = simdjson::ondemand;
using simdjson::error_code;

static_assert(kJsonPadding == simdjson::SIMDJSON_PADDING);

std::string_view EventParser::normalized(std::string_view key) {
    // A loop, not find(): keys are short, and a memchr call per key showed in profiles.
    if (!trie_.ignore_spaces() ||
        std::none_of(key.begin(), key.end(), [](char c) { return c == ' '; }))
        return key;
    key_buffer_.clear();
    for (char c : key) {
        if (c != ' ') key_buffer_ += c;
    }
    return key_buffer_;
}

// The key as written, when it has no escape (keys almost never do): no copy to the
// parser's string buffer. Stage 1 has checked that the string is closed.
std::string_view EventParser::raw_key(od::field& field) {
    const char* raw = field.key().raw();
    size_t n = 0;
    while (raw[n] != '"' && raw[n] != '\\') ++n;
    return raw[n] == '"' ? std::string_view(raw, n) : std::string_view();
}

void EventParser::record(const NodeSet& nodes, const FieldValue& v, EventFields& fields) const {
    for (size_t i = 0; i < nodes.size; ++i) {
        for (PathId p : trie_.node(nodes.ids[i]).paths) fields.add(p, v);
    }
}

error_code EventParser::walk_object(od::object& obj, const NodeSet& nodes, EventFields& fields,
                                    uint32_t depth) {
    for (auto result : obj) {
        if (auto err = result.error(); err) return err;
        od::field& field = result.value_unsafe();
        std::string_view key = raw_key(field);
        if (key.data() == nullptr) {  // escapes in the key: unescape it
            if (auto err = field.unescaped_key().get(key); err) return err;
        }
        NodeSet children;
        std::string_view k = normalized(key);
        for (size_t i = 0; i < nodes.size; ++i) {
            const auto& n = trie_.node(nodes.ids[i]);
            uint32_t exact = trie_.child(nodes.ids[i], k);
            if (exact != kNone && children.size < kMaxNodes) children.ids[children.size++] = exact;
            if (n.any_child != kNone && children.size < kMaxNodes)
                children.ids[children.size++] = n.any_child;
        }
        if (auto err = visit(field.value(), children, fields, depth); err) return err;
    }
    return simdjson::SUCCESS;
}

error_code EventParser::walk_array(od::array& arr, const NodeSet& nodes, EventFields& fields,
                                   uint32_t depth) {
    for (auto element : arr) {
        od::value value;
        if (auto err = element.get(value); err) return err;
        if (auto err = visit(value, nodes, fields, depth); err) return err;
    }
    return simdjson::SUCCESS;
}

// `depth`: the level of the container holding `value`. A container one level deeper
// than the limit is refused before it is entered: the recursion never passes the limit.
error_code EventParser::visit(od::value& value, const NodeSet& nodes, EventFields& fields,
                              uint32_t depth) {
    od::json_type type;
    if (auto err = value.type().get(type); err) return err;
    const bool wanted = nodes.size > 0;
    switch (type) {
        case od::json_type::object: {
            if (depth >= input_limits().max_nesting_depth) return simdjson::DEPTH_ERROR;
            if (wanted) record(nodes, {{}, 0, ValueType::Container}, fields);
            od::object obj;
            if (auto err = value.get_object().get(obj); err) return err;
            return walk_object(obj, nodes, fields, depth + 1);
        }
        case od::json_type::array: {
            if (depth >= input_limits().max_nesting_depth) return simdjson::DEPTH_ERROR;
            if (wanted) record(nodes, {{}, 0, ValueType::Container}, fields);
            od::array arr;
            if (auto err = value.get_array().get(arr); err) return err;
            return walk_array(arr, nodes, fields, depth + 1);
        }
        case od::json_type::string: {
            if (!wanted && !collect_strings_) {
                return value.get_raw_json_string().error();
            }
            std::string_view s;
            if (auto err = value.get_string().get(s); err) return err;
            if (collect_strings_) fields.add_string(s);
            if (wanted) record(nodes, {s, 0, ValueType::String}, fields);
            return simdjson::SUCCESS;
        }
        case od::json_type::number: {
            std::string_view raw = value.raw_json_token();
            while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' ||
                                    raw.back() == '\t')) {
                raw.remove_suffix(1);
            }
            double d = 0;
            auto err = value.get_double().get(d);
            if (err == simdjson::NUMBER_ERROR) {
                if (wanted) record(nodes, {raw, 0, ValueType::String}, fields);
                return simdjson::SUCCESS;  // valid JSON, only too large for a double
            }
            if (err) return err;
            if (wanted) record(nodes, {raw, d, ValueType::Number}, fields);
            return simdjson::SUCCESS;
        }
        case od::json_type::boolean: {
            bool b = false;
            if (auto err = value.get_bool().get(b); err) return err;
            if (wanted)
                record(
                    nodes,
                    {b ? std::string_view("true") : std::string_view("false"), 0, ValueType::Bool},
                    fields);
            return simdjson::SUCCESS;
        }
        case od::json_type::null: {
            bool is_null = false;
            if (auto err = value.is_null().get(is_null); err) return err;
            if (!is_null) return simdjson::N_ATOM_ERROR;
            if (wanted) record(nodes, {{}, 0, ValueType::Null}, fields);
            return simdjson::SUCCESS;
        }
    }
    return simdjson::SUCCESS;
}

// Why the document is rejected. A NUL byte is named with its place, whatever simdjson
// tripped on: it is never valid JSON, and "unescaped characters" would not say where.
std::string_view EventParser::rejection(error_code err, const RawDocument& doc) {
    if (err == simdjson::DEPTH_ERROR) return nesting_error_text();
    if (const void* nul = std::memchr(doc.data, '\0', doc.size)) {
        message_ = "NUL byte at offset ";
        message_ += std::to_string(static_cast<const char*>(nul) - doc.data);
        message_ += " of the document";
        return message_;
    }
    return simdjson::error_message(err);
}

std::string_view EventParser::parse(const RawDocument& doc, EventFields& fields) {
    fields.reset(trie_.path_count());
    od::document document;
    simdjson::padded_string_view view(doc.data, doc.size, doc.capacity);
    if (auto err = parser_.iterate(view).get(document); err) return rejection(err, doc);
    od::object obj;
    if (auto err = document.get_object().get(obj); err) return rejection(err, doc);
    NodeSet root;
    root.ids[root.size++] = PathTrie::root();
    if (auto err = walk_object(obj, root, fields, 1); err) return rejection(err, doc);
    fields.seal();
    return {};
}

}  // namespace vigie
