// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The NATS JetStream input (`nats:` in the configuration).
#include <cstdint>
#include <string>
#include <vector>

namespace vigie {

// The stream a hub operator sizes: vigie creates the events stream with these, and says at
// start-up (and in `config check`) where an existing stream differs.
struct NatsStreamSettings {
    uint32_t replicas = 1;                    // 3 on a JetStream cluster
    uint64_t max_age_seconds = 0;             // 0: kept until max_bytes
    uint64_t max_bytes = 0;                   // 0: unlimited
    uint32_t duplicate_window_seconds = 120;  // repeats of a Nats-Msg-Id within it are dropped
};

struct NatsSettings {
    bool enabled = false;
    // Every server of the cluster (or the agency's leaf node): the client tries them in turn,
    // at start-up and after a loss.
    std::vector<std::string> servers{"nats://127.0.0.1:4222"};
    std::string credentials;   // .creds file; empty: none (or user:password in the URLs)
    std::string inbox_prefix;  // replies (JetStream API answers) on <prefix>.>; empty: _INBOX
    // Start-up: the servers and the JetStream API are retried this long before giving up
    // (0: forever), so that a worker started during a node's restart or a leader election
    // comes up once the cluster answers.
    uint32_t connect_retry_seconds = 60;
    NatsStreamSettings stream_settings;
    std::string stream = "EVENTS";
    std::string subjects = "events.>";  // the agency is the token after "events."
    std::string consumer = "vigie";     // durable pull consumer shared by every worker
    // Inside `subjects` by default, so dead letters are kept by the stream; the input
    // acknowledges them without evaluating them.
    std::string dead_letter_subject = "events.dead";
    uint32_t fetch_batch = 256;      // messages per pull request
    uint32_t ack_wait_seconds = 30;  // unacknowledged this long: redelivered to any worker
    // Deliveries of one message before the worker dead-letters it (its next delivery), so a
    // message that crashes or stalls every worker cannot loop; never unlimited.
    uint32_t max_deliver = 5;
    uint32_t max_ack_pending = 20000;  // unacknowledged messages across all workers
};

}  // namespace vigie
