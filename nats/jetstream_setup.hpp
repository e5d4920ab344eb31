#pragma once
// Connecting to NATS and preparing JetStream for the input: the stream and the durable
// pull consumer are created when missing (never deleted), and the subscription binds to
// the consumer by name, so that no call of ours can remove it (see
// /work/shared/notes/library-pitfalls.md: Unsubscribe or Drain of a subscription that
// created its durable consumer deletes the consumer).
#include <nats/nats.h>

#include <atomic>

#include "config/serve_config.hpp"
#include "serve/logger.hpp"

namespace vigie {

// Where the connection's events (disconnected, reconnected, asynchronous errors) are
// logged; `closing` silences the disconnection that closing the connection itself causes.
struct NatsEvents {
    Logger* log = nullptr;
    std::atomic<bool> closing{false};
};

struct NatsHandles {
    natsOptions* options = nullptr;
    natsConnection* connection = nullptr;
    jsCtx* js = nullptr;
    natsSubscription* subscription = nullptr;
    // The consumer's MaxDeliver as the server holds it after open_jetstream (-1: unlimited).
    int64_t consumer_max_deliver = -1;
};

// Fills `out`; throws std::runtime_error with a clear message, leaving nothing open.
// `events` must outlive the connection.
void open_jetstream(const NatsSettings& settings, NatsEvents& events, NatsHandles& out);

// Only the connection and the stream (settings.stream on settings.subjects), created when
// missing: for users that subscribe their own way.
void open_jetstream_stream(const NatsSettings& settings, NatsEvents& events, NatsHandles& out);

// Flushes pending acknowledgements, destroys the subscription (no Unsubscribe), closes
// and destroys the connection.
void close_jetstream(NatsHandles& handles);

}  // namespace vigie
