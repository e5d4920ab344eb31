#pragma once
// The NATS JetStream input of `vigie serve`: a durable pull consumer on the events stream,
// shared by every worker started with the same consumer name, so that the workers split
// the messages between them. A message is acknowledged only once its alerts were written
// (the engine's `done`), so the messages of a worker killed mid-batch are redelivered to
// the others after ack_wait. The agency is the subject token after the prefix of
// `subjects` (events.<agency>), never the payload; nats-server permissions stop an agency
// from publishing under another's subject (README, samples/nats-server.conf).
// Malformed messages, and messages delivered more than max_deliver times (whatever made
// the earlier deliveries fail: a crash, a stall, a bug), are acknowledged and copied, with
// the reason, to the dead-letter subject, so that they are never redelivered forever.
// Alerts that cannot be written (a full spool) keep the job's messages here, evaluated
// again, rather than nak them: back-pressure must not count as failed deliveries.
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "config/serve_config.hpp"
#include "serve/ingest_engine.hpp"
#include "serve/logger.hpp"

namespace vigie {

struct JetStreamStats {
    uint64_t messages = 0;       // fetched
    uint64_t acked = 0;          // acknowledged (processed or dead-lettered)
    uint64_t redelivered = 0;    // fetched with NumDelivered > 1
    uint64_t dead_lettered = 0;  // copied to the dead-letter subject, then acknowledged
    uint64_t naked = 0;          // negatively acknowledged: the alerts could not be written
    uint64_t in_flight = 0;      // fetched, not yet acknowledged (a queue depth)
    uint64_t retried = 0;        // jobs evaluated again: their alerts could not be written
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
