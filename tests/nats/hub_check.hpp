// SPDX-License-Identifier: EUPL-1.2
#pragma once
// vigie-nats-tool's hub subcommands: the stream that receives the alerts `vigie serve`
// forwards (a nats output), and the check that every alert reached it exactly once.
#include <cstdint>
#include <string>

namespace vigie::test {

struct HubOptions {
    std::string url = "nats://127.0.0.1:4222", user, password;
    std::string stream = "ALERTS";
    std::string subjects = "alerts.>";  // hub-stream: comma-separated
    double duplicate_window = 600;      // seconds: a re-sent Nats-Msg-Id is dropped within it
    int64_t max_bytes = -1;             // hub-stream: -1 unlimited; else the oldest go first
    int64_t replicas = 1;               // hub-stream: 3 on a JetStream cluster
    uint64_t expect = 0;                // hub-check: seqs 1..expect must each be there
    double timeout = 0;                 // hub-check: seconds to wait for >= expect messages
};

// Creates the stream (file storage, limits retention) or brings an existing one to the
// subjects and duplicate window; prints {"stream":...,"messages":N,"duplicate_window":S}.
int hub_stream(const HubOptions& o);

// Waits until the stream holds >= expect messages (or the timeout), reads every message
// and prints {"messages":M,"distinct_ids":I,"distinct_seqs":Q,"duplicate_seqs":D,
// "missing_seqs":X,...}: ids are the Nats-Msg-Id headers (the alert's uid), seqs the "seq"
// of each alert's event. Exit status 0 when no seq is missing or doubled and no id repeats.
int hub_check(const HubOptions& o);

}  // namespace vigie::test
