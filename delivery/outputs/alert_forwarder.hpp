// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A forwarding output (NATS hub, webhook, syslog): it delivers alerts read from the spool
// to an upstream and says whether the upstream acknowledged all of them. The forwarding
// loop retries a failed delivery (with backoff) until it succeeds, then moves the
// output's spool cursor; deliveries are at least once and upstreams deduplicate on the
// alert uid (the NATS hub does, by Nats-Msg-Id). An alert the upstream refuses for good
// (`refused`: too large, unacceptable to it) goes to the output's dead-letter file instead
// of being retried forever (delivery/outputs/dead_letter_file.hpp).
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/logger.hpp"
#include "delivery/outputs/output_settings.hpp"
#include "pipeline/alerts/alert_envelope.hpp"

namespace vigie {

// One alert as the spool holds it; the views point into the spool batch being delivered.
struct ForwardedAlert {
    AlertRouting routing;
    std::string_view line;          // the formatted alert (JSON), no newline
    uint64_t appended_unix_ms = 0;  // when it was stored: the syslog TIMESTAMP
};

struct DeliveryResult {
    bool delivered = false;  // the upstream acknowledged every alert of the span
    // Failed, and another attempt may succeed. Every failure is retried (nothing may be
    // dropped); false marks one that looks permanent (HTTP 4xx): logged as an error.
    bool retryable = true;
    std::string error;  // "<output>: <url or address>: <what happened>"
    std::optional<std::chrono::milliseconds> retry_after;  // the upstream asked to wait this
    // The upstream refused these alerts for good, whatever the moment (HTTP 413, 400, 422;
    // over the hub's max_payload): sending them again cannot succeed. The loop then sends a
    // batch's alerts one by one and dead-letters those still refused alone.
    bool refused = false;

    static DeliveryResult ok() { return DeliveryResult{true, true, {}, std::nullopt}; }
    static DeliveryResult failed(std::string error, bool retryable = true) {
        return DeliveryResult{false, retryable, std::move(error), std::nullopt};
    }
    static DeliveryResult refused_for_good(std::string error) {
        return DeliveryResult{false, false, std::move(error), std::nullopt, true};
    }
};

class AlertForwarder {
  public:
    virtual ~AlertForwarder() = default;
    // Delivers the alerts (at most max_batch() of them); blocks until acknowledged, failed,
    // or interrupted. Called from one thread (the output's forwarding loop).
    virtual DeliveryResult deliver(std::span<const ForwardedAlert> alerts) = 0;
    // Makes a deliver() in progress (and the next ones) return promptly, undelivered.
    // Any thread; used at shutdown.
    virtual void interrupt() = 0;
    [[nodiscard]] virtual size_t max_batch() const = 0;
    // Whether the upstream connection is up (HTTP: the last request got an answer).
    [[nodiscard]] virtual bool connected() const = 0;
};

// Where outputs report what is worth a log line (disconnections, failures, permanent
// errors); app/ binds it to its Logger. `output` is the output's name.
using OutputLog = std::function<void(LogLevel level, std::string_view output,
                                     std::string_view message, std::string_view detail)>;

}  // namespace vigie
