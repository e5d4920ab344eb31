// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Indicator updates shared by every `vigie serve` worker of one NATS JetStream: what a
// worker imports (a bundle, a TAXII post, a poll, a MISP feed) it publishes on a stream
// of its own; every worker reads that stream from its start with an ordered consumer and
// imports what others published, so that all of them match the same indicator set. A
// worker joining late replays the history; importing a version already known changes
// nothing (the newest wins), so a replay is harmless.
#include <nats/nats.h>

#include <functional>
#include <string>
#include <vector>

#include "service/nats/jetstream_setup.hpp"

namespace vigie {

class IndicatorExchange {
  public:
    // (source peer, JSON array of STIX objects) published by another worker.
    using Receiver = std::function<void(const std::string& source, const std::string& objects)>;

    // Connects, creates the stream when missing and subscribes; throws std::runtime_error
    // (a start-up failure) when it cannot.
    IndicatorExchange(const NatsSettings& nats, std::string stream, std::string subject,
                      Logger& log, Receiver receive);
    ~IndicatorExchange();
    IndicatorExchange(const IndicatorExchange&) = delete;
    IndicatorExchange& operator=(const IndicatorExchange&) = delete;

    // Publishes objects imported here (awaits the stream's ack). False, logged, on failure:
    // the objects are still matched here, and the others get them with the next update.
    bool publish(const std::string& source, const std::vector<std::string>& objects);

  private:
    bool publish_message(const std::string& source, const std::string& body);
    static void on_message(natsConnection*, natsSubscription*, natsMsg* msg, void* closure);

    Logger& log_;
    std::string subject_;
    std::string instance_;  // this worker's id, to skip its own messages
    Receiver receive_;
    NatsEvents events_;
    NatsHandles handles_;
};

}  // namespace vigie
