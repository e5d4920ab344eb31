// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Parses one JSON document with simdjson On-Demand and keeps, in EventFields, the values
// at the paths the ruleset's trie names (and every string when keyword rules need them).
// The whole document is walked, so that malformed JSON anywhere in it is reported.
// The walk recurses once per level of nesting: it stops at input_limits().max_nesting_depth
// and rejects the document ("nested deeper than N levels"), so no input can exhaust the
// stack. One EventParser per thread.
#include <simdjson.h>

#include <string>
#include <string_view>

#include "detector/event_fields.hpp"
#include "detector/field_paths.hpp"
#include "ingest/input_reader.hpp"

namespace vigie {

class EventParser {
  public:
    EventParser(const PathTrie& trie, bool collect_strings)
        : trie_(trie), collect_strings_(collect_strings) {}

    // Fills `fields` (reset, add, seal). Returns an empty view on success, else the
    // reason the document is rejected.
    std::string_view parse(const RawDocument& doc, EventFields& fields);

  private:
    static constexpr size_t kMaxNodes = 8;
    struct NodeSet {
        uint32_t ids[kMaxNodes];
        size_t size = 0;
    };

    // `depth`: the nesting level of the container walked (the document's object is 1).
    simdjson::error_code walk_object(simdjson::ondemand::object& obj, const NodeSet& nodes,
                                     EventFields& fields, uint32_t depth);
    simdjson::error_code walk_array(simdjson::ondemand::array& arr, const NodeSet& nodes,
                                    EventFields& fields, uint32_t depth);
    simdjson::error_code visit(simdjson::ondemand::value& value, const NodeSet& nodes,
                               EventFields& fields, uint32_t depth);
    std::string_view rejection(simdjson::error_code err, const RawDocument& doc);
    void record(const NodeSet& nodes, const FieldValue& v, EventFields& fields) const;
    static std::string_view raw_key(simdjson::ondemand::field& field);
    std::string_view normalized(std::string_view key);

    const PathTrie& trie_;
    bool collect_strings_;
    simdjson::ondemand::parser parser_;
    std::string key_buffer_;
    std::string message_;  // a rejection that names a place (a NUL byte)
};

}  // namespace vigie
