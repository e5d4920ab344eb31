// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The AlertSink of `vigie serve` once outputs are configured. For each job's alert records
// it (1) appends every record to the spool in its stored form (alert_envelope.hpp),
// durably, when a forwarding output exists, then (2) writes to each local output (stdout,
// file) the text of the records its filter takes (decided on the records' fields). Only
// when both succeeded does write() return success and the engine acknowledge the input. The spool
// goes first because a full spool is a long state (the hub is down) during which the inputs come
// again and again: local files must not get a copy of the alerts at each of those attempts.
#include <atomic>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "delivery/outputs/alert_forwarder.hpp"
#include "delivery/outputs/local_output.hpp"
#include "delivery/spool/alert_spool.hpp"
#include "pipeline/alerts/alert_sink.hpp"

namespace vigie {

class AlertDelivery final : public AlertSink {
  public:
    // `spool` is null when no forwarding output is configured; it must outlive this object.
    // `log` hears, loudly, when the spool fills (ingest refused), every
    // kFullReminderSeconds while it stays full, and when it has room again.
    AlertDelivery(std::vector<std::unique_ptr<LocalOutput>> locals, AlertSpool* spool,
                  OutputLog log = {});
    static constexpr int64_t kFullReminderSeconds = 30;

    // An Error when the spool refused them (full, I/O error), a local output failed, or a
    // record's text is not one line (the spool could not store it); of kind Refused when
    // they alone are more than the whole spool holds. Each call's own: the workers share
    // this object, so nothing of a failure is kept here for a later read.
    Status write(std::span<const AlertRecord> alerts) override;
    void flush() override;

    [[nodiscard]] std::vector<OutputStats> stats() const;
    [[nodiscard]] uint64_t spool_refusals() const;

  private:
    struct Scratch;
    Status append_to_spool(std::span<const AlertRecord> alerts, Scratch& scratch);
    void report_full();
    void report_room();

    std::vector<std::unique_ptr<LocalOutput>> locals_;
    AlertSpool* spool_;
    std::atomic<uint64_t> spool_refusals_{0};
    OutputLog log_;
    // Whether the spool was last seen full, and when that was last logged (steady ms).
    std::atomic<bool> full_reported_{false};
    std::atomic<int64_t> full_logged_ms_{0};
};

}  // namespace vigie
