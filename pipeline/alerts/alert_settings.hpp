// SPDX-License-Identifier: EUPL-1.2
#pragma once
// What alerts say and how often (`alerts:` in the configuration): suppression, and the
// content read from the event.
#include <cstdint>
#include <string>
#include <vector>

namespace vigie {

struct SuppressionSettings {
    uint32_t window_seconds = 0;  // 0: off
    std::vector<std::string>
        fields;  // event fields (Sigma names) that, with the rule, make the key
};

// What an alert says about its event, read from the event's JSON (dotted paths; the first
// path present wins).
struct AlertContentSettings {
    bool include_event = true;
    // An alert longer than this has its event and matched values cut, marked, with their
    // original sizes (pipeline/alerts/alert_format.hpp): below the hub's NATS max_payload (1 MiB).
    uint64_t max_alert_bytes = 256ULL * 1024;
    std::vector<std::string> event_fields;  // empty: the whole event; else only these paths
    std::vector<std::string> time_fields{"@timestamp",
                                         "timestamp",
                                         "Event.System.TimeCreated.#attributes.SystemTime",
                                         "Event.System.TimeCreated.SystemTime",
                                         "TimeCreated",
                                         "UtcTime",
                                         "Event.EventData.UtcTime",
                                         "eventTime",
                                         "time",
                                         "ts"};
    std::vector<std::string> host_fields{"host.name",      "host.hostname", "Event.System.Computer",
                                         "Computer",       "hostname",      "host",
                                         "agent.hostname", "ComputerName"};
};

}  // namespace vigie
