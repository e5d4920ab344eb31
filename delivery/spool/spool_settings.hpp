// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The store-and-forward spool (`alerts.spool` in the configuration).
#include <cstdint>
#include <string>

namespace vigie {

struct SpoolSettings {
    std::string directory = "vigie-spool";
    uint64_t max_bytes = 1ULL << 30;  // full: ingest gets back-pressure (503, NATS nak)
    uint64_t segment_bytes = 64ULL << 20;
    // Group commit: the least time between the starts of two fsyncs. 0: an fsync starts as
    // soon as the previous one ends, taking every append written meanwhile (the batches
    // grow with the load by themselves; a fixed interval only made each append wait).
    uint32_t fsync_interval_ms = 0;
    // Alerts an upstream refused for good (HTTP 413, 400, 422; over the hub's max_payload)
    // go to <directory>/dead-letters/<output>.jsonl, with the reason, up to this many bytes
    // per output; once it is full, that output retries instead (nothing is dropped).
    uint64_t dead_letter_max_bytes = 64ULL << 20;
    // At shutdown the forwarding outputs go on delivering what the spool holds for up to
    // this long; what is left stays spooled (durable) and is forwarded after the next start.
    uint32_t drain_seconds = 10;
};

}  // namespace vigie
