// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Everything `alerts.outputs` configures, built and owned together: the local outputs
// behind the AlertDelivery sink (what the engine writes to), the spool when at least one
// output forwards, and one ForwardingLoop per forwarding output. app/ builds it at
// start-up, hands delivery() to the engine, start()s the loops, and stop()s them at
// shutdown once the engine has drained.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "delivery/outputs/alert_delivery.hpp"
#include "delivery/outputs/forwarding_loop.hpp"

namespace vigie {

class AlertOutputs {
  public:
    // Throws std::runtime_error (start-up failure): duplicate or empty names, a file that
    // cannot be opened, an unusable spool directory, a webhook secret missing from the
    // environment, a malformed address. An unreachable upstream is not an error.
    AlertOutputs(const std::vector<OutputSettings>& outputs, const SpoolSettings& spool,
                 const OutputLog& log = {},
                 std::vector<std::string>* spool_recovery_notes = nullptr);
    ~AlertOutputs();  // stop()
    AlertOutputs(const AlertOutputs&) = delete;
    AlertOutputs& operator=(const AlertOutputs&) = delete;

    [[nodiscard]] AlertDelivery& delivery() { return *delivery_; }
    [[nodiscard]] AlertSpool* spool() { return spool_.get(); }  // null: no forwarding output
    void start();
    // Drains the forwarding loops (spool.drain_seconds for all of them together), stops
    // them, flushes the local outputs, and logs per output what stays in the spool.
    // Idempotent.
    void stop();
    // Local outputs first, then the forwarding ones, in configuration order.
    [[nodiscard]] std::vector<OutputStats> stats() const;

  private:
    void log_left_in_spool() const;

    OutputLog log_;
    std::chrono::seconds drain_grace_;
    bool stopped_ = false;
    std::unique_ptr<AlertSpool> spool_;  // declared first: destroyed after its users
    std::unique_ptr<AlertDelivery> delivery_;
    std::vector<std::unique_ptr<ForwardingLoop>> loops_;
};

// The forwarder of a forwarding output (nats, webhook, syslog), and its retry policy.
std::unique_ptr<AlertForwarder> make_forwarder(const OutputSettings& settings, OutputLog log = {});
RetryPolicy retry_policy(const OutputSettings& settings);

}  // namespace vigie
