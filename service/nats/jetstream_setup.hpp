// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Connecting to NATS and preparing JetStream for the input: the stream and the durable
// pull consumer are created when missing (never deleted). The input's subscription is a
// plain one on an inbox of its own, where the answers to its own pull requests arrive
// (service/nats/pull_fetch.hpp: libnats 3.4.1's fetch overflows its array); no call of ours can
// remove the consumer.
//
// Start-up on a cluster: a node may be down (the client takes the next server of the
// list) or the cluster may be electing a leader (the JetStream API answers "no responders",
// times out, or says the cluster is unavailable for a few seconds). Such failures are
// retried, with a backoff from 250 ms doubling to 5 s, for settings.connect_retry_seconds
// (0: forever), one warning per attempt. A failure that waiting cannot mend (an
// authorization refused, a stream configuration the server rejects) ends the start-up at
// once. Once connected, the client reconnects by itself, forever, to any server of the
// list or of the cluster (MaxReconnect -1).
//
// The stream is created with settings.stream_settings (replicas, max age, max bytes,
// duplicate window); an existing stream is never changed: each difference with the
// configuration is logged as a warning (service/nats/stream_config_check.hpp).
#include <nats/nats.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>

#include "core/logger.hpp"
#include "service/nats/nats_settings.hpp"
#include "service/nats/startup_retry.hpp"
#include "service/nats/stream_config_check.hpp"

namespace vigie {

// Where the connection's events (disconnected, reconnected, asynchronous errors) are
// logged (nothing when `log` is null); `closing` silences the disconnection that closing
// the connection itself causes. The client calls back from its own thread, even after
// natsConnection_Close returned: close_jetstream waits for the closed callback (the last
// one) through `closed`, so that these events may go once it returned.
struct NatsEvents {
    Logger* log = nullptr;
    std::atomic<bool> closing{false};
    std::mutex mutex;
    std::condition_variable cv;
    uint64_t closed = 0;  // connections whose closed callback ran
};

struct NatsHandles {
    natsOptions* options = nullptr;
    natsConnection* connection = nullptr;
    jsCtx* js = nullptr;
    natsSubscription* subscription = nullptr;
    NatsEvents* events = nullptr;  // the connection's callbacks' closure
    // The consumer's MaxDeliver as the server holds it after open_jetstream (-1: unlimited).
    int64_t consumer_max_deliver = -1;
};

// The start-up was given up because the process was asked to stop (SIGTERM or SIGINT)
// while it waited for NATS: not a failure of the configuration.
struct NatsStartupStopped : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Fills `out`, retrying as said above; throws std::runtime_error with a clear message
// (the servers and the last reason), leaving nothing open, or NatsStartupStopped.
// `events` must outlive the connection, and events.log must be set.
void open_jetstream(const NatsSettings& settings, NatsEvents& events, NatsHandles& out);

// Only the connection and the stream (settings.stream on settings.subjects), created when
// missing, with the same retries: for users that subscribe their own way.
void open_jetstream_stream(const NatsSettings& settings, NatsEvents& events, NatsHandles& out);

// Flushes pending acknowledgements, destroys the subscription (no Unsubscribe), closes
// and destroys the connection.
void close_jetstream(NatsHandles& handles);

// One connection try to the servers, no retry (`vigie config check`): `out` gets the
// connection and its JetStream context; throws std::runtime_error naming the servers.
void connect_nats(const NatsSettings& settings, NatsEvents& events, NatsHandles& out,
                  int timeout_ms);

// The stream's configuration as the server holds it; nullopt when it does not exist;
// throws std::runtime_error when it cannot be read.
std::optional<StreamFacts> read_stream(const NatsHandles& handles, const std::string& stream);

}  // namespace vigie
