#pragma once
// The AlertSink of `vigie serve` once outputs are configured. For each job's buffer of
// envelopes it (1) appends every envelope to the spool, durably, when a forwarding output
// exists, then (2) writes to each local output (stdout, file) the alert lines its filter
// takes. Only when both succeeded does write() return true and the engine acknowledge
// the input. The spool goes first because a full spool is a long state (the hub is down)
// during which the inputs come again and again: local files must not get a copy of the
// alerts at each of those attempts.
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/alert_sink.hpp"
#include "outputs/local_output.hpp"
#include "spool/alert_spool.hpp"

namespace vigie {

class AlertDelivery final : public AlertSink {
  public:
    // `spool` is null when no forwarding output is configured; it must outlive this object.
    AlertDelivery(std::vector<std::unique_ptr<LocalOutput>> locals, AlertSpool* spool);

    // `envelopes`: whole envelopes (alerts/alert_envelope.hpp). False when the spool
    // refused them (full, I/O error), a local output failed, or an envelope is malformed.
    bool write(std::string_view envelopes) override;
    void flush() override;
    [[nodiscard]] std::string error() const override;

    [[nodiscard]] std::vector<OutputStats> stats() const;
    [[nodiscard]] uint64_t spool_refusals() const;

  private:
    bool fail(std::string error);
    bool append_to_spool(const std::vector<std::string_view>& records);

    std::vector<std::unique_ptr<LocalOutput>> locals_;
    AlertSpool* spool_;
    std::atomic<uint64_t> spool_refusals_{0};
    mutable std::mutex mutex_;
    std::string error_;
};

}  // namespace vigie
