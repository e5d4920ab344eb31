// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Reads, from the JSON of an event that raised an alert, what the alert reports about it:
// when it happened, on which host, and the configured subset of its fields. Runs only for
// events that matched (a second, DOM parse of that one event), so the scan's single pass
// keeps extracting only what rules read. One reader per worker; its buffers are reused.
#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/alerts/alert_settings.hpp"

namespace vigie {

struct EventDetails {
    std::optional<int64_t> time_ms;
    std::string_view host;    // empty when none of the host fields is a string
    std::string_view subset;  // a JSON object of the configured fields; empty: whole event
    std::string_view key;     // the key fields' values (minified JSON, NUL-separated)
    bool parsed = false;      // false: the event could not be read again (not expected)
};

class EventDetailsReader {
  public:
    // `key_fields`: the dotted paths whose values make the suppression key.
    explicit EventDetailsReader(const AlertContentSettings& settings,
                                const std::vector<std::string>& key_fields = {});

    // Valid until the next call.
    EventDetails read(std::string_view event_json);

  private:
    struct Path {
        std::string dotted;   // as configured: also tried as one flat key
        std::string pointer;  // JSON pointer of the dotted path
    };
    std::optional<simdjson::dom::element> find(simdjson::dom::element root, const Path& path) const;
    void build_subset(simdjson::dom::element root);

    std::vector<Path> time_paths_;
    std::vector<Path> host_paths_;
    std::vector<Path> subset_paths_;
    std::vector<Path> key_paths_;
    simdjson::dom::parser parser_;
    std::string host_;
    std::string subset_;
    std::string key_;
};

}  // namespace vigie
