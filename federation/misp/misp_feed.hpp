// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A MISP feed: manifest.json (event uuid -> summary) and one <uuid>.json per event, from
// a directory or an http(s) URL (MISP's "feed" export format). Each event is read on its
// own: a bad one is reported and the others kept. Uuids are checked before they become a
// file name or a URL, so a manifest cannot name a path outside the feed.
#include <atomic>
#include <map>
#include <string>

#include "federation/misp/misp_event_reader.hpp"

namespace vigie::misp {

struct MispFeedLimits {
    size_t max_events = 100000;
    size_t max_event_bytes = size_t{64} << 20;
    long timeout_seconds = 60;  // per HTTP transfer
    // When set and true, the read stops: no further event is fetched and a transfer in
    // progress is aborted (vigie serve stopping while it polls a slow feed).
    const std::atomic<bool>* cancel = nullptr;
};

struct MispFeedContent {
    std::vector<stix::Indicator> indicators;
    size_t events = 0;
    size_t attributes = 0;
    size_t skipped = 0;    // not for IDS, deleted, or no observable
    size_t unchanged = 0;  // events not read again: same manifest timestamp as last time
    Diagnostics diagnostics;
};

// What a poller remembers of one feed between two reads: the manifest timestamp of each
// event it read (MISP changes an event's timestamp whenever the event changes), so that a
// poll reads only the events that are new or changed. An event that could not be fetched
// is not remembered: the next poll tries it again.
struct MispFeedMemory {
    std::map<std::string, std::string, std::less<>> event_timestamps;
};

// `location`: a directory holding manifest.json, or its URL (http:// or https://).
// With `memory`, events whose manifest timestamp it holds are skipped, and it is updated.
MispFeedContent read_misp_feed(const std::string& location, const MispEventOptions& options,
                               const MispFeedLimits& limits = {}, MispFeedMemory* memory = nullptr);

}  // namespace vigie::misp
