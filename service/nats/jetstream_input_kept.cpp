// SPDX-License-Identifier: EUPL-1.2
// What the NATS input keeps instead of acknowledging (jetstream_input.hpp): jobs whose
// alerts were not written (the input is paused meanwhile) and originals whose dead letter
// no stream has stored yet. They get InProgress every retry pause and are tried again; the
// log says when a pause or a wait starts, once a minute while it lasts, and when it ends.
#include <string>

#include "service/nats/dead_letter_publisher.hpp"
#include "service/nats/jetstream_input_impl.hpp"
#include "service/nats/pull_fetch.hpp"

namespace vigie {

using namespace nats_input;

void JetStreamInput::Impl::in_progress(natsMsg* msg) {
    reply_to_message(handles_.connection, msg, "+WPI");
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
            for (natsMsg* msg : job->messages) in_progress(msg);
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
    for (const auto& d : waiting) in_progress(d.msg);
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

// On an engine worker thread: keeps a job whose alerts were not written and pauses the
// input (no fetch) until one is; false when stopping. Logs the pause when it starts (once
// a minute at most, however often the outputs refuse and take again).
bool JetStreamInput::Impl::hold(const std::shared_ptr<NatsJob>& job,
                                const std::string& output_error) {
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
        {{"error", output_error}, {"held_messages", held}});
    return true;
}

// On an engine worker thread: the job's alerts are more than the whole spool holds, so
// evaluating it again cannot help. A job of several messages is split, each message
// evaluated again alone, at once; a message alone is dead-lettered (its alerts lost, said).
void JetStreamInput::Impl::refused_for_good(const std::shared_ptr<NatsJob>& job,
                                            const std::string& output_error) {
    if (job->messages.size() == 1) {
        natsMsg* msg = job->messages.front();
        engine_.count_refused(job->agency, IngestInput::Nats, RejectReason::OutputError, 1,
                              static_cast<uint64_t>(natsMsg_GetDataLength(msg)));
        settle_dead_letter(msg, "alerts not written: " + output_error);
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

// Acknowledges `msg` once its dead letter is stored, else keeps it for retry_dead_letters
// (when stopping: hands it back, for another worker). While dead letters already wait, the
// stream is away: this one waits after them, untried, so that a batch of them cannot wait
// for the stream's answer one after the other.
void JetStreamInput::Impl::settle_dead_letter(natsMsg* msg, const std::string& reason) {
    {
        std::lock_guard lock(flight_mutex_);
        if (!dead_waiting_.empty() && !stopping_) {
            dead_waiting_.push_back({msg, reason, 0});
            return;
        }
    }
    in_progress(msg);  // the wait for the stream must not redeliver it
    if (store_dead_letter(msg, reason, 1)) {
        ack(msg);
        natsMsg_Destroy(msg);
        release(1);
        return;
    }
    {
        std::lock_guard lock(flight_mutex_);
        if (!stopping_) {
            dead_waiting_.push_back({msg, reason, 1});
            return;
        }
    }
    hand_back(msg);
}

// Publishes the dead letter of `msg`; true once a stream stored it. Says in the log what
// happened: stored (where), or not (why: the original is kept, not acknowledged, and
// retried; a line when a wait starts and a reminder a minute).
bool JetStreamInput::Impl::store_dead_letter(natsMsg* msg, const std::string& reason,
                                             uint64_t attempts) {
    const Result<StoredDeadLetter> out = publish_dead_letter(
        handles_.js, settings_.dead_letter_subject, msg, reason, dead_letter_wait_ms_);
    const char* subject = natsMsg_GetSubject(msg);
    if (out) {
        ++dead_;
        log_.warn("nats message dead-lettered",
                  {{"subject", subject},
                   {"reason", reason},
                   {"dead_letter_subject", settings_.dead_letter_subject},
                   {"stored", out->stream + " " + std::to_string(out->sequence) +
                                  (out->duplicate ? " (already there)" : "")},
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
               {"error", out.error().message}});
    return false;
}

}  // namespace vigie
