// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The inside of JetStreamInput, shared by its two halves: jetstream_input.cpp (start, stop,
// the fetch thread, sorting fetched messages into jobs) and jetstream_input_kept.cpp (what
// the input keeps instead of acknowledging: jobs whose alerts were not written, originals
// whose dead letter is not stored yet; their InProgress, retries and log lines).
#include <nats/nats.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "service/nats/jetstream_input.hpp"
#include "service/nats/jetstream_setup.hpp"
#include "service/nats/message_batch.hpp"
#include "service/nats/pull_fetch.hpp"

namespace vigie {

namespace nats_input {

using Clock = std::chrono::steady_clock;

// Pull requests are "no wait": the server answers at once with what it has (and a 404
// status when that is less than the batch); they are the input's own (service/nats/pull_fetch.hpp:
// libnats 3.4.1's fetch overflows its array on late answers). An empty answer waits
// kIdlePollMs before the next request. The server keeps a request a retry pause at most (a
// request while messages await acknowledgement is answered only when it expires), so that
// the messages kept here get their InProgress in time.
inline constexpr int64_t kIdlePollMs = 20;
// Fetched but not yet acknowledged messages, in fetch batches: bounds the memory and the
// time a message waits in this worker's queue (it must be acknowledged within ack_wait),
// and leaves the rest of the stream to the other workers.
inline constexpr uint32_t kBatchesInFlight = 4;
// Messages kept here (alerts not written, dead letters not stored) get InProgress, which
// resets their ack timers, and are tried again, every kRetryMs or a quarter of ack_wait if
// that is shorter: the server must never see them unacknowledged for ack_wait, or it would
// redeliver them and count deliveries towards max_deliver. A round may come a fetch's
// answer (a pause) and a dead letter's wait late: 3/4 of ack_wait. Handing them back (nak)
// would count a delivery each time, and a long hub outage would dead-letter them.
inline constexpr int64_t kRetryMs = 1000;
// A dead letter's wait for the stream's acknowledgement, at most (a quarter of ack_wait if
// that is shorter): a leader election mostly answers "no responders" at once, a lost
// leader may not answer at all.
inline constexpr int64_t kDeadLetterWaitMs = 2000;
// While the input stays paused (alerts not written) or dead letters wait, a reminder
// this often, not a line per retry.
inline constexpr auto kReminder = std::chrono::seconds(60);

// The messages of one ingest job, acknowledged together when the engine is done with it.
struct NatsJob {
    std::string agency;
    Clock::time_point fetched;  // the start of the events' latency, across retries
    std::vector<natsMsg*> messages;
    JoinedBody body;
};

// An original kept until its dead letter is stored by a stream.
struct WaitingDeadLetter {
    natsMsg* msg = nullptr;
    std::string reason;
    uint64_t attempts = 1;
};

}  // namespace nats_input

class JetStreamInput::Impl {
  public:
    using Clock = nats_input::Clock;
    using NatsJob = nats_input::NatsJob;
    using WaitingDeadLetter = nats_input::WaitingDeadLetter;

    Impl(const NatsSettings& settings, IngestEngine& engine, Logger& log,
         std::function<bool(std::string_view)> known_agency)
        : settings_(settings),
          engine_(engine),
          log_(log),
          known_agency_(std::move(known_agency)),
          prefix_(subject_prefix(settings.subjects)),
          max_in_flight_(static_cast<size_t>(settings.fetch_batch) * nats_input::kBatchesInFlight),
          retry_pause_(std::chrono::milliseconds(std::min<int64_t>(
              nats_input::kRetryMs, int64_t{settings.ack_wait_seconds} * 1000 / 4))),
          dead_letter_wait_ms_(std::min<int64_t>(nats_input::kDeadLetterWaitMs,
                                                 int64_t{settings.ack_wait_seconds} * 1000 / 4)),
          dead_after_(settings.max_deliver) {
        events_.log = &log_;
    }

    void start();
    void stop();
    void close();
    JetStreamStats stats() const;
    bool connected() const;

  private:
    void fetch_loop();
    bool wait_to_fetch(Clock::time_point until);
    void fetch_once(bool& failing);
    void check_max_deliver(int64_t server_max);
    void keep_and_retry();
    void retry_held_jobs();
    void retry_dead_letters();
    void hand_back(natsMsg* msg);
    std::string delivery_problem(natsMsg* msg);
    void dispatch(const std::vector<natsMsg*>& list);
    void in_progress(natsMsg* msg);
    bool set_aside(natsMsg* msg, std::string_view agency, const std::string& too_often);
    void submit(const std::shared_ptr<NatsJob>& job);
    void finish(const std::shared_ptr<NatsJob>& held, IngestResult&& result);
    // `output_error`: the outputs' words for the alerts they did not write (an input).
    bool hold(const std::shared_ptr<NatsJob>& job, const std::string& output_error);
    void refused_for_good(const std::shared_ptr<NatsJob>& job, const std::string& output_error);
    void written();
    void settle_dead_letter(natsMsg* msg, const std::string& reason);
    bool store_dead_letter(natsMsg* msg, const std::string& reason, uint64_t attempts);
    void ack(natsMsg* msg);
    void release(size_t count);

    const NatsSettings settings_;
    IngestEngine& engine_;
    Logger& log_;
    std::function<bool(std::string_view)> known_agency_;
    const std::string prefix_;
    const size_t max_in_flight_;
    const Clock::duration retry_pause_;
    const int64_t dead_letter_wait_ms_;
    uint64_t dead_after_;  // a message delivered more often is dead-lettered, not evaluated

    mutable std::mutex handles_mutex_;  // connected() against close()
    NatsEvents events_;
    NatsHandles handles_;
    const std::string pull_subject_ = pull_subject(settings_.stream, settings_.consumer);
    std::vector<natsMsg*> fetched_;  // the fetch thread's, reused
    std::thread thread_;
    std::atomic<bool> stopping_{false};

    // What the fetch thread waits on; stats() reads it too.
    mutable std::mutex flight_mutex_;
    std::condition_variable flight_cv_;
    size_t in_flight_ = 0;  // fetched, not yet acknowledged nor handed back
    // Alerts not written: the input is paused (no fetch) while output_blocked_, and the
    // held jobs are evaluated again, one after each pause until one is written, then all.
    std::deque<std::shared_ptr<NatsJob>> held_;
    size_t held_messages_ = 0;
    bool output_blocked_ = false;
    bool retry_now_ = false;  // a held job was written: evaluate the others at once
    Clock::time_point paused_since_{}, pause_logged_{};
    bool paused_ = false;
    std::vector<WaitingDeadLetter> dead_waiting_;
    Clock::time_point dead_wait_logged_{};

    std::atomic<uint64_t> messages_{0}, acked_{0}, redelivered_{0}, dead_{0}, naked_{0},
        retried_{0}, dead_retries_{0};
};

}  // namespace vigie
