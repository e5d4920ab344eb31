// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The NATS JetStream input of `vigie serve`: a durable pull consumer on the events stream,
// shared by every worker started with the same consumer name, so that the workers split
// the messages between them. A message is acknowledged only once its alerts were written
// (the engine's `done`), so the messages of a worker killed mid-batch are redelivered to
// the others after ack_wait. The agency is the subject token after the prefix of
// `subjects` (events.<agency>), never the payload; nats-server permissions stop an agency
// from publishing under another's subject (README, samples/nats-server.conf).
// Malformed messages, and messages delivered more than max_deliver times (whatever made
// the earlier deliveries fail: a crash, a stall, a bug), are copied, with the reason, to the
// dead-letter subject through JetStream; the original is acknowledged only once a stream
// acknowledged the copy (service/nats/dead_letter_publisher.hpp). A copy no stream takes (a leader
// election, no stream on the subject) keeps its original here, not acknowledged, its ack
// timer reset (InProgress), and is published again after a pause.
// Alerts that cannot be written (a full spool) pause the input: no more fetches, the job's
// messages kept here (InProgress) and evaluated again, one job after each pause until one
// is written, rather than nak them: back-pressure must not count as failed deliveries, so
// that max_deliver never turns an outage into dead letters or dropped messages.
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "core/logger.hpp"
#include "pipeline/engine/ingest_engine.hpp"
#include "service/nats/nats_settings.hpp"

namespace vigie {

struct JetStreamStats {
    uint64_t messages = 0;              // fetched
    uint64_t acked = 0;                 // acknowledged (processed or dead-lettered)
    uint64_t redelivered = 0;           // fetched with NumDelivered > 1
    uint64_t dead_lettered = 0;         // copy stored by a stream, then the original acknowledged
    uint64_t naked = 0;                 // negatively acknowledged: the alerts could not be written
    uint64_t in_flight = 0;             // fetched, not yet acknowledged (a queue depth)
    uint64_t retried = 0;               // jobs evaluated again: their alerts could not be written
    uint64_t held = 0;                  // messages kept now because their alerts were not written
    uint64_t dead_letters_waiting = 0;  // originals kept now: their dead letter not yet stored
    uint64_t dead_letter_retries = 0;   // dead letters published again after a failure
};

class JetStreamInput {
  public:
    // known_agency: whether an agency id is configured (messages under an unknown agency's
    // subject are dead-lettered with that reason).
    JetStreamInput(const NatsSettings& settings, IngestEngine& engine, Logger& log,
                   std::function<bool(std::string_view agency)> known_agency);
    ~JetStreamInput();  // stop() + close()
    JetStreamInput(const JetStreamInput&) = delete;
    JetStreamInput& operator=(const JetStreamInput&) = delete;

    // Connects, creates the stream and the durable consumer if missing, starts the fetch
    // thread. Throws std::runtime_error with a clear message on failure.
    void start();
    // Stops fetching and joins the fetch thread; jobs in flight still complete and
    // acknowledge through the engine.
    void stop();
    // After the engine has drained: flushes pending acknowledgements, destroys the
    // subscription (never Unsubscribe: that would delete a consumer it created) and closes
    // the connection. Idempotent.
    void close();

    [[nodiscard]] JetStreamStats stats() const;
    [[nodiscard]] bool connected() const;

    class Impl;

  private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace vigie
