// SPDX-License-Identifier: EUPL-1.2
#include "service/nats/jetstream_input.hpp"

#include <nats/nats.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "service/nats/dead_letter_publisher.hpp"
#include "service/nats/jetstream_input_impl.hpp"
#include "service/nats/pull_fetch.hpp"

namespace vigie {

using namespace nats_input;

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
    if (no_stream_stores(handles_.js, settings_.dead_letter_subject))
        log_.warn(
            "no nats stream stores nats.dead_letter_subject: dead letters will wait, their "
            "originals kept (not acknowledged), until one does",
            {{"dead_letter_subject", settings_.dead_letter_subject}});
    stopping_ = false;
    thread_ = std::thread([this] { fetch_loop(); });
    log_.info("nats input started", {{"servers", server_list(settings_.servers)},  // masked
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
    if (reply_to_message(handles_.connection, msg, "-NAK") == NATS_OK) ++naked_;
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
    // The server keeps the request a retry pause at most: the messages kept here get
    // their InProgress in time (a request while messages await acknowledgement is
    // answered only when it expires).
    const natsStatus s =
        pull_fetch(handles_.connection, handles_.subscription, pull_subject_, settings_.fetch_batch,
                   std::chrono::duration_cast<std::chrono::milliseconds>(retry_pause_), fetched_);
    if (s == NATS_NOT_FOUND || s == NATS_TIMEOUT) {  // nothing to do
        std::this_thread::sleep_for(std::chrono::milliseconds(kIdlePollMs));
        return;
    }
    if (s != NATS_OK) {
        // Disconnected or the consumer is gone: the client reconnects on its own.
        if (!failing) log_.warn("nats fetch failed; retrying", {{"error", natsStatus_GetText(s)}});
        failing = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
        return;
    }
    if (failing) log_.info("nats fetch resumed");
    failing = false;
    {
        std::lock_guard lock(flight_mutex_);
        in_flight_ += fetched_.size();
    }
    dispatch(fetched_);
    fetched_.clear();  // its messages were all taken
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

// Sorts a fetched batch: the messages not to evaluate are set aside at once, the rest is
// grouped by agency into one job each; a redelivered message gets a job of its own, so that
// a message that killed a worker cannot take the messages fetched with it to the dead
// letters.
void JetStreamInput::Impl::dispatch(const std::vector<natsMsg*>& list) {
    const auto fetched = Clock::now();
    struct Group {
        std::string_view agency;
        std::shared_ptr<NatsJob> job;
        bool alone;  // a redelivered message: a job of its own
    };
    std::vector<Group> groups;
    for (natsMsg* msg : list) {
        ++messages_;
        const uint64_t redelivered_before = redelivered_.load();
        const std::string too_often = delivery_problem(msg);
        const bool alone = redelivered_.load() != redelivered_before;
        const std::string_view agency = agency_of(natsMsg_GetSubject(msg), prefix_);
        if (set_aside(msg, agency, too_often)) continue;
        auto it =
            alone ? groups.end() : std::find_if(groups.begin(), groups.end(), [&](const Group& g) {
                return g.agency == agency && !g.alone;
            });
        if (it == groups.end()) {
            groups.push_back({agency, std::make_shared<NatsJob>(), alone});
            it = groups.end() - 1;
            it->job->agency = agency;
            it->job->fetched = fetched;
            it->job->messages.reserve(alone ? 1 : list.size());
        }
        it->job->messages.push_back(msg);
        it->job->body.append(std::string_view(natsMsg_GetData(msg),
                                              static_cast<size_t>(natsMsg_GetDataLength(msg))));
    }
    for (Group& g : groups) submit(g.job);
}

// A message not to evaluate: a dead letter kept by the stream (acknowledged), or one to
// dead-letter (counted as one rejected event, under kUnknownAgency when its subject names no
// configured agency). False: evaluate it.
bool JetStreamInput::Impl::set_aside(natsMsg* msg, std::string_view agency,
                                     const std::string& too_often) {
    if (natsMsg_GetSubject(msg) == settings_.dead_letter_subject) {  // never evaluated
        ack(msg);
        natsMsg_Destroy(msg);
        release(1);
        return true;
    }
    const std::string_view payload(natsMsg_GetData(msg),
                                   static_cast<size_t>(natsMsg_GetDataLength(msg)));
    const bool known = !agency.empty() && known_agency_(agency);
    const std::string problem = agency.empty()       ? "the subject is not " + prefix_ + "<agency>"
                                : !known             ? "unknown agency " + std::string(agency)
                                : !too_often.empty() ? too_often
                                                     : payload_problem(payload);
    if (problem.empty()) return false;
    const RejectReason reason = !known              ? RejectReason::UnknownAgency
                                : too_often.empty() ? RejectReason::MalformedJson
                                                    : RejectReason::DeliveryLimit;
    engine_.count_refused(known ? agency : kUnknownAgency, IngestInput::Nats, reason, 1,
                          payload.size());
    settle_dead_letter(msg, problem);
    return true;
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

void JetStreamInput::Impl::ack(natsMsg* msg) {
    if (const natsStatus s = reply_to_message(handles_.connection, msg, "+ACK"); s == NATS_OK) {
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
