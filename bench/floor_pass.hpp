// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The benchmark's floor: what it costs simdjson On-Demand to visit every field of every
// event and read (unescape) every string, with the file read in the same 4 MiB chunks
// as vigie reads it. Nothing a detection engine does can be cheaper than this.
#include <cstdint>
#include <string>

namespace vigie::bench {

struct FloorResult {
    uint64_t bytes = 0;
    uint64_t events = 0;
    uint64_t string_bytes = 0;  // read, so that the work cannot be optimised away
    double seconds = 0;
    std::string error;  // empty on success
};

// `path` must hold NDJSON (one event per line), as the generator writes.
FloorResult run_floor_pass(const std::string& path);

}  // namespace vigie::bench
