// SPDX-License-Identifier: EUPL-1.2
#pragma once
// One thread per forwarding output: reads a batch from the output's spool cursor, skips
// the alerts its filter refuses, delivers the rest through the forwarder, retries a
// failed delivery with exponential backoff and full jitter until it succeeds (or stop()
// is called), and only then moves the cursor past the batch. At shutdown, drain() lets it
// deliver what the spool holds and end once a read finds nothing pending; stop() (after
// the grace period) abandons the attempt in progress without moving the cursor: those
// alerts stay in the spool, durable, and are delivered after the restart (at least once;
// the NATS hub drops the duplicates by uid). A batch the upstream
// refuses for good is sent again one alert at a time; an alert refused alone goes to the
// dead-letter file (counted, logged) and forwarding goes on with the next.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "delivery/outputs/alert_forwarder.hpp"
#include "delivery/outputs/dead_letter_file.hpp"
#include "delivery/outputs/output_stats.hpp"
#include "delivery/spool/alert_spool.hpp"

namespace vigie {

struct RetryPolicy {
    std::chrono::milliseconds initial{500};
    std::chrono::milliseconds max{30000};
};

// Full jitter: uniform in [0, min(max, initial * 2^(failures - 1))], failures >= 1.
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, uint32_t failures,
                                        std::mt19937_64& random);

class ForwardingLoop {
  public:
    // `spool` outlives the loop and has a cursor named settings.name. Without dead_letters,
    // refused alerts are retried like any failure.
    ForwardingLoop(const OutputSettings& settings, std::unique_ptr<AlertForwarder> forwarder,
                   AlertSpool& spool, RetryPolicy retry, OutputLog log = {},
                   std::unique_ptr<DeadLetterFile> dead_letters = nullptr);
    ~ForwardingLoop();  // stop()
    ForwardingLoop(const ForwardingLoop&) = delete;
    ForwardingLoop& operator=(const ForwardingLoop&) = delete;

    void start();
    // Shutdown, first step: from now on the loop ends as soon as a read of the spool finds
    // nothing pending (it no longer waits for new alerts). Returns at once.
    void drain();
    // Waits until the loop ended by itself (drained) or `deadline` passed; true when it
    // ended (or never ran).
    bool wait_drained(std::chrono::steady_clock::time_point deadline);
    // Abandons the delivery in progress (not committed), joins the thread. Idempotent.
    void stop();
    [[nodiscard]] OutputStats stats() const;
    [[nodiscard]] const std::string& name() const { return name_; }

  private:
    void run();
    // Reads and delivers until stopped, or until drained.
    void forward();
    // Delivers until the upstream acknowledged (true) or stop was requested (false).
    bool deliver_until_done(std::span<const ForwardedAlert> alerts);
    // A batch refused for good (`refusal`: the upstream's words): each alert alone (false
    // when stop was requested).
    bool deliver_one_by_one(std::span<const ForwardedAlert> alerts, const std::string& refusal);
    // True when the refused alert is in the dead-letter file.
    bool dead_letter(const ForwardedAlert& alert, const std::string& reason);
    void report_failure(const DeliveryResult& result, uint32_t failures);
    // Sleeps; false when woken by stop().
    bool pause(std::chrono::milliseconds delay);
    void note(LogLevel level, std::string_view message, std::string_view detail) const;

    const std::string name_;
    const OutputFilter filter_;
    std::unique_ptr<AlertForwarder> forwarder_;
    AlertSpool& spool_;
    const RetryPolicy retry_;
    OutputLog log_;
    OutputCounters counters_;
    std::mt19937_64 random_;
    std::string last_logged_error_;
    std::unique_ptr<DeadLetterFile> dead_letters_;
    uint64_t batch_dead_lettered_ = 0;  // of the batch being delivered

    std::atomic<bool> stopping_{false};
    std::atomic<bool> draining_{false};
    bool ended_ = false;  // run() returned (under mutex_)
    std::mutex mutex_;
    std::condition_variable wake_;  // stop() for pause()
    std::condition_variable ended_cv_;
    std::thread thread_;
};

}  // namespace vigie
