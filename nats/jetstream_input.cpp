#include "nats/jetstream_input.hpp"

#include <nats/nats.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "nats/dead_letter_publisher.hpp"
#include "nats/jetstream_setup.hpp"
#include "nats/message_batch.hpp"

namespace vigie {

namespace {

using Clock = std::chrono::steady_clock;

// Pull requests are "no wait": the server answers at once with what it has (and a 404
// status when that is less than the batch), so no message is ever delivered after the
// client stopped waiting for it. libnats 3.4.1 mishandles such late messages: they are
// queued, taken by the next natsSubscription_Fetch, which then writes past the batch it
// allocated (heap overflow, found by ASan under load). An empty answer waits kIdlePollMs
// before the next request. The server's answer is waited for a retry pause at most (a
// request while messages await acknowledgement is answered only when it expires), so that
// the messages kept here get their InProgress in time.
constexpr int64_t kIdlePollMs = 20;
// Fetched but not yet acknowledged messages, in fetch batches: bounds the memory and the
// time a message waits in this worker's queue (it must be acknowledged within ack_wait),
// and leaves the rest of the stream to the other workers.
constexpr uint32_t kBatchesInFlight = 4;
// Messages kept here (alerts not written, dead letters not stored) get InProgress, which
// resets their ack timers, and are tried again, every kRetryMs or a quarter of ack_wait if
// that is shorter: the server must never see them unacknowledged for ack_wait, or it would
// redeliver them and count deliveries towards max_deliver. A round may come a fetch's
// answer (a pause) and a dead letter's wait late: 3/4 of ack_wait. Handing them back (nak)
// would count a delivery each time, and a long hub outage would dead-letter them.
constexpr int64_t kRetryMs = 1000;
// A dead letter's wait for the stream's acknowledgement, at most (a quarter of ack_wait if
// that is shorter): a leader election mostly answers "no responders" at once, a lost
// leader may not answer at all.
constexpr int64_t kDeadLetterWaitMs = 2000;
// While the input stays paused (alerts not written) or dead letters wait, a reminder
// this often, not a line per retry.
constexpr auto kReminder = std::chrono::seconds(60);

}  // namespace

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

class JetStreamInput::Impl {
  public:
    Impl(const NatsSettings& settings, IngestEngine& engine, Logger& log,
         std::function<bool(std::string_view)> known_agency)
        : settings_(settings),
          engine_(engine),
          log_(log),
          known_agency_(std::move(known_agency)),
          prefix_(subject_prefix(settings.subjects)),
          max_in_flight_(static_cast<size_t>(settings.fetch_batch) * kBatchesInFlight),
          retry_pause_(std::chrono::milliseconds(
              std::min<int64_t>(kRetryMs, int64_t{settings.ack_wait_seconds} * 1000 / 4))),
          dead_letter_wait_ms_(
              std::min<int64_t>(kDeadLetterWaitMs, int64_t{settings.ack_wait_seconds} * 1000 / 4)),
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
    void dispatch(natsMsgList& list);
    void submit(const std::shared_ptr<NatsJob>& job);
    void finish(const std::shared_ptr<NatsJob>& held, IngestResult&& result);
    bool hold(const std::shared_ptr<NatsJob>& job, const std::string& error);
    void refused_for_good(const std::shared_ptr<NatsJob>& job, const std::string& error);
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

void JetStreamInput::Impl::start() {
    std::string_view dead_agency = agency_of(settings_.dead_letter_subject, prefix_);
    if (!dead_agency.empty() && known_agency_(dead_agency))
        throw std::runtime_error("nats.dead_letter_subject " + settings_.dead_letter_subject +
                                 " is the subject of agency " + std::string(dead_agency));
    {
        std::lock_guard lock(handles_mutex_);
        events_.closing = false;
        open_jetstream(settings_, events_, handles_);  // throws, leaving nothing open
    }
    check_max_deliver(handles_.consumer_max_deliver);
    stopping_ = false;
    thread_ = std::thread([this] { fetch_loop(); });
    std::string servers;
    for (const auto& url : settings_.servers) servers += (servers.empty() ? "" : ",") + url;
    log_.info("nats input started", {{"servers", servers},
                                     {"stream", settings_.stream},
                                     {"consumer", settings_.consumer},
                                     {"max_deliver", dead_after_}});
}

// An existing consumer the server would not update may give messages up before the input
// sees their last delivery: dead-letter earlier then, and say so.
void JetStreamInput::Impl::check_max_deliver(int64_t server_max) {
    dead_after_ = settings_.max_deliver;
    if (server_max <= 0 || static_cast<uint64_t>(server_max) > dead_after_ + 1) return;
    dead_after_ = server_max > 1 ? static_cast<uint64_t>(server_max) - 1 : 1;
    log_.warn("nats consumer delivers a message at most " + std::to_string(server_max) +
                  " times (its max_deliver, not updated): dead-lettered after " +
                  std::to_string(dead_after_),
              {{"consumer", settings_.consumer}});
}

void JetStreamInput::Impl::stop() {
    {
        std::lock_guard lock(flight_mutex_);
        stopping_ = true;
    }
    flight_cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    std::deque<std::shared_ptr<NatsJob>> held;
    std::vector<WaitingDeadLetter> dead;
    {
        std::lock_guard lock(flight_mutex_);
        held.swap(held_);
        dead.swap(dead_waiting_);
        held_messages_ = 0;
    }
    // For another worker: a dead letter published again there gets the same message id.
    for (auto& job : held) {
        for (natsMsg* msg : job->messages) hand_back(msg);
        job->messages.clear();
    }
    for (auto& d : dead) hand_back(d.msg);
}

// Naks a message (for another worker) and lets it go.
void JetStreamInput::Impl::hand_back(natsMsg* msg) {
    if (natsMsg_Nak(msg, nullptr) == NATS_OK) ++naked_;
    natsMsg_Destroy(msg);
    release(1);
}

void JetStreamInput::Impl::close() {
    stop();
    {
        // Jobs still in the engine hold messages of this connection: the engine must have
        // drained. Wait a little for a caller that closes too early, rather than crash.
        std::unique_lock lock(flight_mutex_);
        if (!flight_cv_.wait_for(lock, std::chrono::seconds(10), [&] { return in_flight_ == 0; })) {
            // Left open: a job finishing later still acknowledges through it.
            log_.error("nats input not closed: messages still being processed",
                       {{"in_flight", static_cast<uint64_t>(in_flight_)}});
            return;
        }
    }
    std::lock_guard lock(handles_mutex_);
    if (!handles_.connection) return;
    events_.closing = true;
    close_jetstream(handles_);
    const JetStreamStats s = stats();
    log_.info("nats input closed", {{"messages", s.messages},
                                    {"acked", s.acked},
                                    {"redelivered", s.redelivered},
                                    {"dead_lettered", s.dead_lettered},
                                    {"naked", s.naked}});
}

JetStreamStats JetStreamInput::Impl::stats() const {
    JetStreamStats s;
    {
        std::lock_guard lock(flight_mutex_);
        s.in_flight = in_flight_;
        s.held = held_messages_;
        s.dead_letters_waiting = dead_waiting_.size();
    }
    s.messages = messages_.load();
    s.acked = acked_.load();
    s.redelivered = redelivered_.load();
    s.dead_lettered = dead_.load();
    s.naked = naked_.load();
    s.retried = retried_.load();
    s.dead_letter_retries = dead_retries_.load();
    return s;
}

bool JetStreamInput::Impl::connected() const {
    std::lock_guard lock(handles_mutex_);
    return handles_.connection &&
           natsConnection_Status(handles_.connection) == NATS_CONN_STATUS_CONNECTED;
}

// The fetch thread: fetches while the outputs take the alerts and a whole batch fits under
// the in-flight bound; every retry pause, keeps what it holds alive and tries it again.
void JetStreamInput::Impl::fetch_loop() {
    bool failing = false;
    auto next_retry = Clock::now() + retry_pause_;
    while (!stopping_) {
        if (Clock::now() >= next_retry) {
            keep_and_retry();
            next_retry = Clock::now() + retry_pause_;
        }
        if (wait_to_fetch(next_retry)) fetch_once(failing);
    }
}

// Waits until a fetch may start (true), or until `until`, stopping, or held jobs to evaluate
// again at once (false). No fetch while alerts are not written: the input is paused.
bool JetStreamInput::Impl::wait_to_fetch(Clock::time_point until) {
    std::unique_lock lock(flight_mutex_);
    auto may_fetch = [&] {
        return held_.empty() && !output_blocked_ &&
               in_flight_ + settings_.fetch_batch <= max_in_flight_;
    };
    flight_cv_.wait_until(lock, until, [&] { return stopping_ || retry_now_ || may_fetch(); });
    if (stopping_) return false;
    if (retry_now_) {
        retry_now_ = false;
        lock.unlock();
        retry_held_jobs();
        return false;
    }
    return may_fetch();
}

void JetStreamInput::Impl::fetch_once(bool& failing) {
    natsMsgList list{};
    jsFetchRequest request;
    jsFetchRequest_Init(&request);
    request.Batch = static_cast<int>(settings_.fetch_batch);
    request.NoWait = true;
    request.Expires = std::chrono::duration_cast<std::chrono::nanoseconds>(retry_pause_).count();
    const natsStatus s = natsSubscription_FetchRequest(&list, handles_.subscription, &request);
    if (s == NATS_NOT_FOUND || s == NATS_TIMEOUT) {  // nothing to do
        std::this_thread::sleep_for(std::chrono::milliseconds(kIdlePollMs));
        return;
    }
    if (s != NATS_OK) {
        // Disconnected or the consumer is gone: the client reconnects on its own.
        if (!failing) log_.warn("nats fetch failed; retrying", {{"error", natsStatus_GetText(s)}});
        failing = true;
        natsMsgList_Destroy(&list);
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
        return;
    }
    if (failing) log_.info("nats fetch resumed");
    failing = false;
    {
        std::lock_guard lock(flight_mutex_);
        in_flight_ += static_cast<size_t>(list.Count);
    }
    dispatch(list);
    natsMsgList_Destroy(&list);  // its messages were all taken (set to null)
}

// Every retry pause: what this worker keeps gets InProgress (its ack timer reset, so that
// it is not redelivered) and is tried again.
void JetStreamInput::Impl::keep_and_retry() {
    retry_dead_letters();
    retry_held_jobs();
    std::lock_guard lock(flight_mutex_);
    if (!paused_ || Clock::now() - pause_logged_ < kReminder) return;
    pause_logged_ = Clock::now();
    log_.warn(
        "nats input still paused: alerts not written",
        {{"held_messages", static_cast<uint64_t>(held_messages_)},
         {"paused_seconds", static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                                      Clock::now() - paused_since_)
                                                      .count())}});
}

// While the outputs refuse (output_blocked_), only the oldest held job is evaluated again,
// a probe; once one is written, all of them.
void JetStreamInput::Impl::retry_held_jobs() {
    std::deque<std::shared_ptr<NatsJob>> jobs;
    {
        std::lock_guard lock(flight_mutex_);
        if (held_.empty()) return;
        for (const auto& job : held_)
            for (natsMsg* msg : job->messages) natsMsg_InProgress(msg, nullptr);
        if (output_blocked_) {
            jobs.push_back(held_.front());
            held_.pop_front();
        } else {
            jobs.swap(held_);
        }
        for (const auto& job : jobs) held_messages_ -= job->messages.size();
    }
    for (auto& job : jobs) {
        job->body = JoinedBody{};
        for (natsMsg* msg : job->messages)
            job->body.append(std::string_view(natsMsg_GetData(msg),
                                              static_cast<size_t>(natsMsg_GetDataLength(msg))));
        ++retried_;
        submit(job);
    }
}

// The waiting dead letters, oldest first, until one fails again: the stream is still away,
// and each further try could wait for its answer. All of them get InProgress first.
void JetStreamInput::Impl::retry_dead_letters() {
    std::vector<WaitingDeadLetter> waiting;
    {
        std::lock_guard lock(flight_mutex_);
        waiting.swap(dead_waiting_);
    }
    if (waiting.empty()) return;
    for (const auto& d : waiting) natsMsg_InProgress(d.msg, nullptr);
    size_t i = 0;
    for (; i < waiting.size(); ++i) {
        ++dead_retries_;
        if (!store_dead_letter(waiting[i].msg, waiting[i].reason, ++waiting[i].attempts)) break;
        ack(waiting[i].msg);
        natsMsg_Destroy(waiting[i].msg);
        release(1);
    }
    std::lock_guard lock(flight_mutex_);
    // Still waiting, in their order, before any added meanwhile.
    dead_waiting_.insert(dead_waiting_.begin(), waiting.begin() + static_cast<ptrdiff_t>(i),
                         waiting.end());
    if (dead_waiting_.empty() || Clock::now() - dead_wait_logged_ < kReminder) return;
    dead_wait_logged_ = Clock::now();
    log_.warn("nats dead letters still not stored; their originals kept, not acknowledged",
              {{"waiting", static_cast<uint64_t>(dead_waiting_.size())},
               {"dead_letter_subject", settings_.dead_letter_subject}});
}

// Why a delivery must not be evaluated again, or empty. Whatever made the earlier ones
// fail (a crash, a stall, a bug), a message is never evaluated more than max_deliver times.
std::string JetStreamInput::Impl::delivery_problem(natsMsg* msg) {
    const char* reply = natsMsg_GetReply(msg);
    const uint64_t delivered = reply ? delivery_count(reply) : 0;
    if (delivered > 1) ++redelivered_;
    if (delivered <= dead_after_) return {};
    return "delivered " + std::to_string(delivered) +
           " times without being acknowledged (nats.max_deliver " + std::to_string(dead_after_) +
           ")";
}

// Sorts a fetched batch: dead letters are handled at once, the rest is grouped by agency
// into one job each; a redelivered message gets a job of its own, so that a message that
// killed a worker cannot take the messages fetched with it to the dead letters. A message
// dead-lettered here counts as one rejected event for the metrics, under kUnknownAgency
// when its subject names no configured agency.
void JetStreamInput::Impl::dispatch(natsMsgList& list) {
    const auto fetched = Clock::now();
    struct Group {
        std::string_view agency;
        std::shared_ptr<NatsJob> job;
        bool alone;  // a redelivered message: a job of its own
    };
    std::vector<Group> groups;
    for (int i = 0; i < list.Count; ++i) {
        natsMsg* msg = list.Msgs[i];
        list.Msgs[i] = nullptr;
        ++messages_;
        const uint64_t redelivered_before = redelivered_.load();
        const std::string too_often = delivery_problem(msg);
        const bool alone = redelivered_.load() != redelivered_before;
        const std::string_view subject = natsMsg_GetSubject(msg);
        const std::string_view payload(natsMsg_GetData(msg),
                                       static_cast<size_t>(natsMsg_GetDataLength(msg)));
        if (subject == settings_.dead_letter_subject) {  // kept by the stream: never evaluated
            ack(msg);
            natsMsg_Destroy(msg);
            release(1);
            continue;
        }
        const std::string_view agency = agency_of(subject, prefix_);
        const bool known = !agency.empty() && known_agency_(agency);
        const std::string problem = agency.empty() ? "the subject is not " + prefix_ + "<agency>"
                                    : !known       ? "unknown agency " + std::string(agency)
                                    : !too_often.empty() ? too_often
                                                         : payload_problem(payload);
        if (!problem.empty()) {
            const RejectReason reason = !known              ? RejectReason::UnknownAgency
                                        : too_often.empty() ? RejectReason::MalformedJson
                                                            : RejectReason::DeliveryLimit;
            engine_.count_refused(known ? agency : kUnknownAgency, IngestInput::Nats, reason, 1,
                                  payload.size());
            settle_dead_letter(msg, problem);
            continue;
        }
        auto it =
            alone ? groups.end() : std::find_if(groups.begin(), groups.end(), [&](const Group& g) {
                return g.agency == agency && !g.alone;
            });
        if (it == groups.end()) {
            groups.push_back({agency, std::make_shared<NatsJob>(), alone});
            it = groups.end() - 1;
            it->job->agency = agency;
            it->job->fetched = fetched;
            it->job->messages.reserve(alone ? 1 : static_cast<size_t>(list.Count));
        }
        it->job->messages.push_back(msg);
        it->job->body.append(payload);
    }
    for (Group& g : groups) submit(g.job);
}

void JetStreamInput::Impl::submit(const std::shared_ptr<NatsJob>& job) {
    IngestJob ingest;
    ingest.agency = job->agency;
    ingest.source = prefix_ + ingest.agency;
    ingest.body = job->body.take_body();
    ingest.done = [this, job](IngestResult&& result) { finish(job, std::move(result)); };
    ingest.input = IngestInput::Nats;
    ingest.received = job->fetched;
    ingest.kept_when_undelivered = true;  // held and evaluated again: counted once, written
    const uint64_t bytes = ingest.body.size();
    if (engine_.submit_wait(std::move(ingest)) == IngestEngine::Submit::Queued) return;
    // Draining: hand the messages back at once, for another worker (each counts as one
    // refused event: its events were not counted).
    engine_.count_refused(job->agency, IngestInput::Nats, RejectReason::Overloaded,
                          job->messages.size(), bytes);
    for (natsMsg* msg : job->messages) hand_back(msg);
    job->messages.clear();
}

// On an engine worker thread: keeps a job whose alerts were not written and pauses the
// input (no fetch) until one is; false when stopping. Logs the pause when it starts (once
// a minute at most, however often the outputs refuse and take again).
bool JetStreamInput::Impl::hold(const std::shared_ptr<NatsJob>& job, const std::string& error) {
    std::unique_lock lock(flight_mutex_);
    if (stopping_) return false;
    held_.push_back(job);
    held_messages_ += job->messages.size();
    output_blocked_ = true;
    if (paused_) return true;
    paused_ = true;
    const auto now = Clock::now();
    paused_since_ = now;
    if (pause_logged_ != Clock::time_point{} && now - pause_logged_ < kReminder) return true;
    pause_logged_ = now;
    const uint64_t held = held_messages_;
    lock.unlock();
    log_.error(
        "alerts not written: nats input paused, no fetch; its messages kept (not "
        "acknowledged, InProgress) and evaluated again until the outputs take them",
        {{"error", error}, {"held_messages", held}});
    return true;
}

// On an engine worker thread: the job's alerts are more than the whole spool holds, so
// evaluating it again cannot help. A job of several messages is split, each message
// evaluated again alone, at once; a message alone is dead-lettered (its alerts lost, said).
void JetStreamInput::Impl::refused_for_good(const std::shared_ptr<NatsJob>& job,
                                            const std::string& error) {
    if (job->messages.size() == 1) {
        natsMsg* msg = job->messages.front();
        engine_.count_refused(job->agency, IngestInput::Nats, RejectReason::OutputError, 1,
                              static_cast<uint64_t>(natsMsg_GetDataLength(msg)));
        settle_dead_letter(msg, "alerts not written: " + error);
        job->messages.clear();
        return;
    }
    {
        std::lock_guard lock(flight_mutex_);
        if (!stopping_) {
            for (natsMsg* msg : job->messages) {
                auto one = std::make_shared<NatsJob>();
                one->agency = job->agency;
                one->fetched = job->fetched;
                one->messages.push_back(msg);
                held_.push_back(std::move(one));
            }
            held_messages_ += job->messages.size();
            job->messages.clear();
            retry_now_ = true;
        }
    }
    flight_cv_.notify_all();
    for (natsMsg* msg : job->messages) hand_back(msg);  // stopping
    job->messages.clear();
}

// On an engine worker thread, a job's alerts written: the held jobs are evaluated again at
// once; the last one written ends the pause.
void JetStreamInput::Impl::written() {
    std::unique_lock lock(flight_mutex_);
    output_blocked_ = false;
    if (!held_.empty()) {
        retry_now_ = true;
        lock.unlock();
        flight_cv_.notify_all();
        return;
    }
    if (!paused_) return;
    paused_ = false;
    const bool logged = pause_logged_ >= paused_since_;
    const auto seconds =
        std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - paused_since_).count();
    lock.unlock();
    flight_cv_.notify_all();
    if (logged)
        log_.info("alerts written again: nats input resumed",
                  {{"paused_seconds", static_cast<uint64_t>(seconds)}});
}

void JetStreamInput::Impl::finish(const std::shared_ptr<NatsJob>& held, IngestResult&& result) {
    NatsJob& job = *held;
    if (!result.output_error.empty()) {
        // Nothing of the job counts as delivered: evaluated again here, or, when stopping,
        // handed back for another worker.
        if (result.output_refused_for_good) return refused_for_good(held, result.output_error);
        if (hold(held, result.output_error)) return;
        for (natsMsg* msg : job.messages) hand_back(msg);
        job.messages.clear();
        return;
    }
    written();
    std::vector<std::string> problems;  // only when something was rejected
    if (!result.rejected.empty()) problems.resize(job.messages.size());
    for (const auto& r : result.rejected) {
        std::string& p = problems[job.body.message_of_line(r.line)];
        if (p.empty())
            p = "line " + std::to_string(job.body.line_in_message(r.line)) + ": " + r.error;
    }
    size_t acked = 0;
    for (size_t i = 0; i < job.messages.size(); ++i) {
        if (!problems.empty() && !problems[i].empty()) {
            settle_dead_letter(job.messages[i], problems[i]);
            continue;
        }
        ack(job.messages[i]);
        natsMsg_Destroy(job.messages[i]);
        ++acked;
    }
    release(acked);
    job.messages.clear();
}

// Acknowledges `msg` once its dead letter is stored, else keeps it for retry_dead_letters.
// While dead letters already wait, the stream is away: this one waits after them, untried,
// so that a batch of them cannot wait for the stream's answer one after the other.
void JetStreamInput::Impl::settle_dead_letter(natsMsg* msg, const std::string& reason) {
    {
        std::lock_guard lock(flight_mutex_);
        if (!dead_waiting_.empty()) {
            dead_waiting_.push_back({msg, reason, 0});
            return;
        }
    }
    natsMsg_InProgress(msg, nullptr);  // the wait for the stream must not redeliver it
    if (store_dead_letter(msg, reason, 1)) {
        ack(msg);
        natsMsg_Destroy(msg);
        release(1);
        return;
    }
    std::lock_guard lock(flight_mutex_);
    dead_waiting_.push_back({msg, reason, 1});
}

// Publishes the dead letter of `msg`; true once a stream stored it. Says in the log what
// happened: stored (where), or not (why: the original is kept, not acknowledged, and
// retried; a line when a wait starts and a reminder a minute).
bool JetStreamInput::Impl::store_dead_letter(natsMsg* msg, const std::string& reason,
                                             uint64_t attempts) {
    const DeadLetterOutcome out = publish_dead_letter(handles_.js, settings_.dead_letter_subject,
                                                      msg, reason, dead_letter_wait_ms_);
    const char* subject = natsMsg_GetSubject(msg);
    if (out.stored) {
        ++dead_;
        log_.warn("nats message dead-lettered",
                  {{"subject", subject},
                   {"reason", reason},
                   {"dead_letter_subject", settings_.dead_letter_subject},
                   {"stored", out.stream + " " + std::to_string(out.sequence) +
                                  (out.duplicate ? " (already there)" : "")},
                   {"attempts", attempts}});
        return true;
    }
    {
        std::lock_guard lock(flight_mutex_);
        if (attempts > 1 || !dead_waiting_.empty()) return false;  // a wait already logged
        dead_wait_logged_ = Clock::now();
    }
    log_.warn("nats dead letter not stored: its original kept, not acknowledged, retried",
              {{"subject", subject},
               {"reason", reason},
               {"dead_letter_subject", settings_.dead_letter_subject},
               {"error", out.error}});
    return false;
}

void JetStreamInput::Impl::ack(natsMsg* msg) {
    if (const natsStatus s = natsMsg_Ack(msg, nullptr); s == NATS_OK) {
        ++acked_;
    } else {
        // Redelivered after ack_wait: at least once, never lost.
        log_.warn("nats ack failed; the message will be redelivered",
                  {{"error", natsStatus_GetText(s)}});
    }
}

void JetStreamInput::Impl::release(size_t count) {
    {
        std::lock_guard lock(flight_mutex_);
        in_flight_ -= count;
    }
    flight_cv_.notify_all();
}

JetStreamInput::JetStreamInput(const NatsSettings& settings, IngestEngine& engine, Logger& log,
                               std::function<bool(std::string_view agency)> known_agency)
    : impl_(std::make_unique<Impl>(settings, engine, log, std::move(known_agency))) {}

JetStreamInput::~JetStreamInput() {
    impl_->close();
}

void JetStreamInput::start() {
    impl_->start();
}
void JetStreamInput::stop() {
    impl_->stop();
}
void JetStreamInput::close() {
    impl_->close();
}
JetStreamStats JetStreamInput::stats() const {
    return impl_->stats();
}
bool JetStreamInput::connected() const {
    return impl_->connected();
}

}  // namespace vigie
