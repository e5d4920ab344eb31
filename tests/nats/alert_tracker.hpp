// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Reads the alert files of `vigie serve` workers and accounts for every numbered event:
// which seqs have an alert, which none, which more than one (redelivered after a worker
// was killed), and whether a repeat carries the first alert's uid (the hub's Nats-Msg-Id,
// by which it drops the repeat). Following the files, it also times each alert as it appears
// against the "ts_ns" its event was published with: the ingest-to-alert latency of the load test.
#include <cstdint>
#include <string>
#include <vector>

namespace vigie::test {

struct TrackerOptions {
    std::vector<std::string> files;
    uint64_t expect = 0;  // seqs 1..expect must each have an alert; 0: no check
    bool follow = false;
    double idle_seconds = 5;
    double timeout_seconds = 600;
};

// Prints one JSON object; 0 when every expected seq has an alert.
int track_alerts(const TrackerOptions& options);

}  // namespace vigie::test
