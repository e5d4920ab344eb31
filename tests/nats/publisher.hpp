// SPDX-License-Identifier: EUPL-1.2
#pragma once
// vigie-nats-tool publish: numbered events to JetStream, each under its own Nats-Msg-Id,
// resent with that same id until the stream acknowledges it. A stream leader election
// answers "no responders" for a few seconds and a lost node's acks never come: a publisher
// that gave up there would lose events, one that resent under a new id would double them.
#include <cstdint>
#include <string>

#include "tests/nats/tool_connect.hpp"

namespace vigie::test {

struct PublishOptions {
    std::string prefix = "events", agency = "demo", file;
    uint64_t count = 0, start = 1;
    double duration = 0;
    // With duration: also stop as soon as this file exists, so that a test can keep the
    // load on for exactly as long as its own steps take, however slow the machine.
    std::string stop_file;
    double rate = 0;  // events per second; 0: as fast as possible
    bool raw = false, sync = false, timestamps = false;
    // Nats-Msg-Id <id_prefix>-<n>; empty: <agency>-<n>, and --raw lines get no id (an id
    // made of --start alone would repeat across calls and the stream would drop them).
    std::string id_prefix;
    // A message is resent until acknowledged, for at most this long after its first
    // refusal; then it is an error (exit 1, named on stderr).
    double retry_seconds = 60;
    int64_t ack_wait_ms = 5000;  // an ack not back within this: the message is resent
};

// Prints {"published":N,"acked":A,"resent":R,"duplicates":D,"errors":E,"longest_wait":W,
// "seconds":S,"rate":X}: duplicates are resends the stream already held (dropped by their
// id); longest_wait the longest time (s) from a message's first refusal to its ack.
// 0 when every message was acknowledged.
int publish(const ToolServer& server, const PublishOptions& options);

}  // namespace vigie::test
