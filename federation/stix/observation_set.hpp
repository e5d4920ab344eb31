// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The observation set a pattern is evaluated against (STIX 2.1 section 9.6): every
// observed-data of every input file, each with its time window, its count and its SCOs.
// STIX 2.1 observed-data list `object_refs` to SCOs anywhere in the input; STIX 2.0 ones
// embed an `objects` dictionary whose keys the SCOs' *_ref properties name.
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.hpp"
#include "federation/stix/json_value.hpp"

namespace vigie::stix {

struct ObservedData {
    std::string id;
    int64_t first_observed_us = 0;
    int64_t last_observed_us = 0;
    int64_t number_observed = 1;
    const JsonValue* embedded_objects = nullptr;  // STIX 2.0 `objects`, else null
    std::vector<std::string> object_refs;         // STIX 2.1
    // The SCOs (id or 2.0 key, object), resolved by ObservationSet::finish().
    std::vector<std::pair<std::string, const JsonValue*>> objects;
};

class ObservationSet {
  public:
    // Adds the observed-data and SCOs of one document: a bundle or a JSON array of objects.
    // An error says what is wrong, after `origin` ("FILE: observed-data--1:
    // first_observed ...", "FILE:1:40: nested deeper than 64 levels").
    Status add_document(std::string_view json_text, const std::string& origin = "");
    // Resolves object_refs once every document is in. Unresolved ids are counted, not fatal.
    void finish();

    // A *_ref value seen from `from`: its 2.0 dictionary first, then every SCO of the input.
    [[nodiscard]] const JsonValue* resolve(const ObservedData& from, std::string_view ref) const;

    [[nodiscard]] const std::vector<ObservedData>& observed_data() const { return observed_; }
    [[nodiscard]] size_t unresolved_refs() const { return unresolved_refs_; }

  private:
    Status add_objects(const JsonValue& doc);
    Status add_object(const JsonValue& object);

    std::deque<JsonValue> documents_;  // stable addresses for the pointers below
    std::vector<ObservedData> observed_;
    std::unordered_map<std::string, const JsonValue*> sco_by_id_;
    size_t unresolved_refs_ = 0;
};

// Reads every file into one set. An error: "FILE: what is wrong".
Status load_observation_files(const std::vector<std::string>& paths, ObservationSet& set);

}  // namespace vigie::stix
