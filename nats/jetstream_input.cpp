#include "nats/jetstream_input.hpp"

#include <nats/nats.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "nats/jetstream_setup.hpp"
#include "nats/message_batch.hpp"

namespace vigie {

namespace {

// Pull requests are "no wait": the server answers at once with what it has (and a 404
// status when that is less than the batch), so no message is ever delivered after the
// client stopped waiting for it. libnats 3.4.1 mishandles such late messages: they are
// queued, taken by the next natsSubscription_Fetch, which then writes past the batch it
// allocated (heap overflow, found by ASan under load). An empty answer waits kIdlePollMs
// before the next request; kAnswerWaitMs only bounds the wait for the server's answer.
constexpr int64_t kAnswerWaitMs = 2000;
constexpr int64_t kIdlePollMs = 20;
// Fetched but not yet acknowledged messages, in fetch batches: bounds the memory and the
// time a message waits in this worker's queue (it must be acknowledged within ack_wait),
// and leaves the rest of the stream to the other workers.
constexpr uint32_t kBatchesInFlight = 4;
// Alerts that could not be written (the spool is full): the job's messages are kept, their
// ack timer reset, and the job evaluated again after this pause. Handing them back (nak)
// would count a delivery each time, and a long hub outage would dead-letter them.
constexpr int64_t kOutputRetryMs = 1000;

}  // namespace

// The messages of one ingest job, acknowledged together when the engine is done with it.
struct NatsJob {
    std::string agency;
    bool retried_before = false;  // its alerts could not be written once already
    std::vector<natsMsg*> messages;
    JoinedBody body;
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
    void check_max_deliver(int64_t server_max);
    bool retry_held_jobs();
    void hand_back(NatsJob& job);
    std::string delivery_problem(natsMsg* msg);
    bool wait_for_room();
    void dispatch(natsMsgList& list);
    void submit(std::string_view agency, const std::shared_ptr<NatsJob>& job,
                std::chrono::steady_clock::time_point fetched);
    void finish(const std::shared_ptr<NatsJob>& held, IngestResult&& result);
    bool hold(const std::shared_ptr<NatsJob>& job);
    void dead_letter(natsMsg* msg, const std::string& reason);
    void ack(natsMsg* msg);
    void release(size_t count);

    const NatsSettings settings_;
    IngestEngine& engine_;
    Logger& log_;
    std::function<bool(std::string_view)> known_agency_;
    const std::string prefix_;
    const size_t max_in_flight_;
    uint64_t dead_after_;  // a message delivered more often is dead-lettered, not evaluated

    mutable std::mutex handles_mutex_;  // connected() against close()
    NatsEvents events_;
    NatsHandles handles_;
    std::thread thread_;
    std::atomic<bool> stopping_{false};

    mutable std::mutex flight_mutex_;  // in_flight_; stats() reads it too
    std::condition_variable flight_cv_;
    size_t in_flight_ = 0;

    std::mutex held_mutex_;                       // held_, and stopping_ when a job is held
    std::vector<std::shared_ptr<NatsJob>> held_;  // alerts not written: evaluated again

    std::atomic<uint64_t> messages_{0}, acked_{0}, redelivered_{0}, dead_{0}, naked_{0},
        retried_{0};
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
        std::lock_guard lock(held_mutex_);
        stopping_ = true;
    }
    flight_cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    std::vector<std::shared_ptr<NatsJob>> held;
    {
        std::lock_guard lock(held_mutex_);
        held.swap(held_);
    }
    for (auto& job : held) hand_back(*job);
}

// Naks the job's messages (for another worker) and lets them go.
void JetStreamInput::Impl::hand_back(NatsJob& job) {
    for (natsMsg* msg : job.messages) {
        if (natsMsg_Nak(msg, nullptr) == NATS_OK) ++naked_;
        natsMsg_Destroy(msg);
    }
    release(job.messages.size());
    job.messages.clear();
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
    size_t in_flight = 0;
    {
        std::lock_guard lock(flight_mutex_);
        in_flight = in_flight_;
    }
    return {messages_.load(), acked_.load(), redelivered_.load(),
            dead_.load(),     naked_.load(), static_cast<uint64_t>(in_flight),
            retried_.load()};
}

bool JetStreamInput::Impl::connected() const {
    std::lock_guard lock(handles_mutex_);
    return handles_.connection &&
           natsConnection_Status(handles_.connection) == NATS_CONN_STATUS_CONNECTED;
}

// Waits until a whole fetch batch fits under the in-flight bound; false when stopping.
bool JetStreamInput::Impl::wait_for_room() {
    std::unique_lock lock(flight_mutex_);
    flight_cv_.wait(lock, [&] {
        return stopping_.load() || in_flight_ + settings_.fetch_batch <= max_in_flight_;
    });
    return !stopping_;
}

// Evaluates again, after a pause, the jobs whose alerts could not be written; their
// messages stay with this worker meanwhile (InProgress resets their ack timers). False
// when stopping.
bool JetStreamInput::Impl::retry_held_jobs() {
    std::vector<std::shared_ptr<NatsJob>> held;
    {
        std::lock_guard lock(held_mutex_);
        if (held_.empty()) return !stopping_;
    }
    const int64_t pause =
        std::min<int64_t>(kOutputRetryMs, int64_t{settings_.ack_wait_seconds} * 1000 / 2);
    {
        std::unique_lock lock(flight_mutex_);
        if (flight_cv_.wait_for(lock, std::chrono::milliseconds(pause),
                                [&] { return stopping_.load(); }))
            return false;
    }
    {
        std::lock_guard lock(held_mutex_);
        held.swap(held_);
    }
    for (auto& job : held) {
        job->body = JoinedBody{};
        for (natsMsg* msg : job->messages) {
            natsMsg_InProgress(msg, nullptr);
            job->body.append(std::string_view(natsMsg_GetData(msg),
                                              static_cast<size_t>(natsMsg_GetDataLength(msg))));
        }
        ++retried_;
        submit(job->agency, job, std::chrono::steady_clock::now());
    }
    return !stopping_;
}

void JetStreamInput::Impl::fetch_loop() {
    bool failing = false;
    while (retry_held_jobs() && wait_for_room()) {
        natsMsgList list{};
        jsFetchRequest request;
        jsFetchRequest_Init(&request);
        request.Batch = static_cast<int>(settings_.fetch_batch);
        request.NoWait = true;
        request.Expires = kAnswerWaitMs * 1000000;  // nanoseconds
        const natsStatus s = natsSubscription_FetchRequest(&list, handles_.subscription, &request);
        if (s == NATS_NOT_FOUND || s == NATS_TIMEOUT) {  // nothing to do
            std::this_thread::sleep_for(std::chrono::milliseconds(kIdlePollMs));
            continue;
        }
        if (s != NATS_OK) {
            // Disconnected or the consumer is gone: the client reconnects on its own.
            if (!failing)
                log_.warn("nats fetch failed; retrying", {{"error", natsStatus_GetText(s)}});
            failing = true;
            natsMsgList_Destroy(&list);
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
            continue;
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
    const auto fetched = std::chrono::steady_clock::now();
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
        std::string problem;
        const std::string_view agency = agency_of(subject, prefix_);
        if (subject == settings_.dead_letter_subject) {
            // A dead letter kept by the stream: never evaluated.
        } else if (agency.empty()) {
            problem = "the subject is not " + prefix_ + "<agency>";
        } else if (!known_agency_(agency)) {
            problem = "unknown agency " + std::string(agency);
        } else if (!too_often.empty()) {
            problem = too_often;
        } else {
            problem = payload_problem(payload);
        }
        if (subject == settings_.dead_letter_subject || !problem.empty()) {
            if (!problem.empty()) {
                const bool known = !agency.empty() && known_agency_(agency);
                const RejectReason reason = !known              ? RejectReason::UnknownAgency
                                            : too_often.empty() ? RejectReason::MalformedJson
                                                                : RejectReason::DeliveryLimit;
                engine_.count_refused(known ? agency : kUnknownAgency, IngestInput::Nats, reason, 1,
                                      payload.size());
                dead_letter(msg, problem);
            }
            ack(msg);
            natsMsg_Destroy(msg);
            release(1);
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
            it->job->messages.reserve(alone ? 1 : static_cast<size_t>(list.Count));
        }
        it->job->messages.push_back(msg);
        it->job->body.append(payload);
    }
    for (Group& g : groups) submit(g.agency, g.job, fetched);
}

void JetStreamInput::Impl::submit(std::string_view agency, const std::shared_ptr<NatsJob>& job,
                                  std::chrono::steady_clock::time_point fetched) {
    IngestJob ingest;
    ingest.agency = agency;
    ingest.source = prefix_ + ingest.agency;
    ingest.body = job->body.take_body();
    ingest.done = [this, job](IngestResult&& result) { finish(job, std::move(result)); };
    ingest.input = IngestInput::Nats;
    ingest.received = fetched;
    const uint64_t bytes = ingest.body.size();
    if (engine_.submit_wait(std::move(ingest)) == IngestEngine::Submit::Queued) return;
    // Draining: hand the messages back at once, for another worker (each counts as one
    // refused event: its events were not counted).
    engine_.count_refused(agency, IngestInput::Nats, RejectReason::Overloaded, job->messages.size(),
                          bytes);
    for (natsMsg* msg : job->messages) {
        natsMsg_Nak(msg, nullptr);
        ++naked_;
        natsMsg_Destroy(msg);
    }
    release(job->messages.size());
}

// On an engine worker thread, after the job's alerts were handed to the alert sink.
// Keeps a job whose alerts were not written, for retry_held_jobs; false when stopping.
bool JetStreamInput::Impl::hold(const std::shared_ptr<NatsJob>& job) {
    std::lock_guard lock(held_mutex_);
    if (stopping_) return false;
    held_.push_back(job);
    return true;
}

void JetStreamInput::Impl::finish(const std::shared_ptr<NatsJob>& held, IngestResult&& result) {
    NatsJob& job = *held;
    if (!result.output_error.empty()) {
        // Nothing of the job counts as delivered: evaluated again here, or, when stopping,
        // handed back for another worker.
        if (!job.retried_before)
            log_.error("alerts not written; nats messages held, evaluated again",
                       {{"error", result.output_error},
                        {"messages", static_cast<uint64_t>(job.messages.size())}});
        job.retried_before = true;
        if (hold(held)) return;
        for (natsMsg* msg : job.messages) {
            if (natsMsg_Nak(msg, nullptr) == NATS_OK) ++naked_;
        }
    } else {
        std::vector<std::string> problems;  // only when something was rejected
        if (!result.rejected.empty()) problems.resize(job.messages.size());
        for (const auto& r : result.rejected) {
            std::string& p = problems[job.body.message_of_line(r.line)];
            if (p.empty())
                p = "line " + std::to_string(job.body.line_in_message(r.line)) + ": " + r.error;
        }
        for (size_t i = 0; i < job.messages.size(); ++i) {
            if (!problems.empty() && !problems[i].empty())
                dead_letter(job.messages[i], problems[i]);
            ack(job.messages[i]);
        }
    }
    for (natsMsg* msg : job.messages) natsMsg_Destroy(msg);
    release(job.messages.size());
    job.messages.clear();
}

void JetStreamInput::Impl::dead_letter(natsMsg* msg, const std::string& reason) {
    const char* subject = natsMsg_GetSubject(msg);
    natsMsg* copy = nullptr;
    natsStatus s = natsMsg_Create(&copy, settings_.dead_letter_subject.c_str(), nullptr,
                                  natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
    if (s == NATS_OK) s = natsMsgHeader_Set(copy, "Vigie-Error", header_value(reason).c_str());
    if (s == NATS_OK) s = natsMsgHeader_Set(copy, "Vigie-Subject", subject);
    if (s == NATS_OK) s = natsConnection_PublishMsg(handles_.connection, copy);
    natsMsg_Destroy(copy);
    ++dead_;
    log_.warn("nats message dead-lettered",
              {{"subject", subject},
               {"reason", reason},
               {"dead_letter_subject", settings_.dead_letter_subject},
               {"published", s == NATS_OK ? "true" : natsStatus_GetText(s)}});
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
