// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The events stream as the server holds it against the stream the configuration describes
// (nats.replicas, max_age_seconds, max_bytes, duplicate_window_seconds, subjects). vigie
// creates a missing stream with the configured settings but never changes an existing one:
// an operator may have created it on purpose (placement, limits of the hub). A difference
// is said, at start-up as a warning in the log and in `vigie config check` as a warning at
// the configuration key's place, so that a worker does not run on a 1-replica stream while
// its configuration says 3 without anybody knowing.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/config_places.hpp"
#include "core/diagnostic.hpp"
#include "service/nats/nats_settings.hpp"

namespace vigie {

// What the server says of a stream's configuration (jsStreamConfig), in its own units.
struct StreamFacts {
    std::string name;
    std::vector<std::string> subjects;
    int64_t replicas = 1;
    int64_t max_age_ns = 0;  // 0: unlimited
    int64_t max_bytes = -1;  // -1: unlimited
    int64_t duplicate_window_ns = 0;
};

struct StreamDifference {
    std::string key;      // the configuration key: "nats.replicas"
    std::string message;  // "nats stream EVENTS has replicas 1, the configuration says 3"
};

// One difference per setting that differs; none when the stream is as configured.
std::vector<StreamDifference> stream_differences(const NatsSettings& settings,
                                                 const StreamFacts& stream);

// Whether the stream subject `pattern` (with * and > wildcards) takes every message of
// `subject` (itself possibly with wildcards: events.>).
bool subject_covers(const std::string& pattern, const std::string& subject);

// `vigie config check`: reads the stream from the configured servers (one connection try
// with a short timeout, no start-up retry) and appends each difference as a warning at its
// key's place in `places`. A server that cannot be reached, or a stream that cannot be
// read, is a warning too (at nats.url): not compared, and the check goes on. `note` is set
// to a sentence when the stream does not exist yet (vigie serve will create it).
struct StreamCheckOutcome {
    Diagnostics diagnostics;
    std::string note;
};
StreamCheckOutcome check_stream_settings(const NatsSettings& settings, const ConfigPlaces& places,
                                         int timeout_ms = 3000);

}  // namespace vigie
