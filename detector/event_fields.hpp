// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The values of one event that the loaded rules can look at, by path. Filled by the
// event reader, read by the evaluator. Reused from event to event: reset() keeps the
// capacity, so that steady-state reading allocates nothing.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "detector/field_paths.hpp"

namespace vigie {

enum class ValueType : uint8_t { String, Number, Bool, Null, Container };

struct FieldValue {
    std::string_view text;  // strings unescaped; numbers as written; "true"/"false"
    double number = 0;      // valid when type == Number
    ValueType type = ValueType::String;
};

// What a field resolved to: its scalar values (the first path that has any), or
// `present` alone when the field holds only an object or array.
struct FieldView {
    std::span<const FieldValue> values;
    bool present = false;
};

class EventFields {
  public:
    // Starts a new event; `path_count` is the size of the path trie it is read with.
    void reset(size_t path_count);
    void add(PathId path, FieldValue value);
    void add_string(std::string_view s) { strings_.push_back(s); }
    // Groups the values by path; call once after the last add() of an event.
    void seal();

    [[nodiscard]] FieldView resolve(const FieldTable& fields, FieldId field) const;
    [[nodiscard]] std::span<const FieldValue> values(PathId path) const;
    [[nodiscard]] bool present(PathId path) const;
    // The paths this event has, in the order they were first seen.
    [[nodiscard]] std::span<const PathId> touched() const { return touched_; }
    // Every string value of the event, for keyword selections.
    [[nodiscard]] std::span<const std::string_view> strings() const { return strings_; }

  private:
    struct Slot {
        uint32_t generation = 0;
        uint32_t begin = 0;
        uint32_t count = 0;
        uint32_t filled = 0;
        bool container = false;
    };

    std::vector<Slot> slots_;
    std::vector<FieldValue> pending_;
    std::vector<PathId> pending_paths_;
    std::vector<PathId> touched_;
    std::vector<FieldValue> grouped_;
    std::vector<std::string_view> strings_;
    uint32_t generation_ = 0;
};

}  // namespace vigie
