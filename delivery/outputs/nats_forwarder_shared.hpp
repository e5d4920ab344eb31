// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Internal to the NATS forwarder: what the client library's callbacks (acknowledgements,
// connection events, asynchronous server errors) share with the forwarder, and the
// callbacks themselves. Never freed: the library may call back after the forwarder is gone.
#include <nats/nats.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <unordered_map>

#include "delivery/outputs/nats_forwarder.hpp"

namespace vigie {

struct NatsForwarder::Shared {
    using Clock = std::chrono::steady_clock;

    std::string name;
    OutputLog log;
    std::atomic<bool> closing{false};
    std::atomic<bool> interrupted{false};
    // The forwarder's connection: events of one it replaced are not reported.
    std::atomic<natsConnection*> current{nullptr};

    std::mutex mutex;
    std::condition_variable changed;
    // The attempt in progress: uid -> subject of the alerts not yet acknowledged.
    std::unordered_map<std::string, std::string> outstanding;
    std::string error;       // the attempt's first negative ack
    bool refused = false;    // that ack refuses the message itself (over the stream's max size)
    bool no_stream = false;  // that ack is "no responders": no stream reachable right now
    Clock::time_point attempt_start;
    // Subjects the hub refused to let this user publish to, with when it last said so.
    std::unordered_map<std::string, Clock::time_point> denied;
    // Publish refusals the hub reported since attempt_start: one per refused alert, even
    // when the text naming its subject was overwritten by the next one's.
    size_t denials_in_attempt = 0;
    std::string server_error;  // the hub's last asynchronous error, in its words

    void note(LogLevel level, std::string_view message, std::string_view detail = {}) {
        if (log && !closing.load()) log(level, name, message, detail);
    }
    // Under mutex: the outstanding alerts whose subject was refused during this attempt.
    [[nodiscard]] size_t outstanding_denied() const;
    // Under mutex: whether every alert still outstanding is accounted for by a refusal,
    // by its subject, or (in a batch of several) by the number of refusals.
    [[nodiscard]] bool all_outstanding_refused(size_t batch) const;
    // Starts an attempt over these alerts (under mutex).
    void begin_attempt(std::span<const ForwardedAlert> alerts, std::string_view subject_prefix);
};

// One Shared per forwarder ever created, reachable for the process' lifetime.
NatsForwarder::Shared* keep_forever(std::string name, OutputLog log);

void nats_forwarder_on_ack(jsCtx*, natsMsg* msg, jsPubAck* ack, jsPubAckErr* err, void* closure);
void nats_forwarder_on_error(natsConnection* nc, natsSubscription*, natsStatus status,
                             void* closure);
void nats_forwarder_on_disconnected(natsConnection* nc, void* closure);
void nats_forwarder_on_connected(natsConnection* nc, void* closure);
void nats_forwarder_on_closed(natsConnection* nc, void* closure);
void nats_forwarder_on_reconnected(natsConnection* nc, void* closure);

}  // namespace vigie
